import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, ErrorPanel, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
import {
  runbookRunRouteRef,
  runbooksApiRef,
  StartRunForm,
} from '@fleetdeck/plugin-runbooks-react';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { RunbookCard } from './RunbookCard';

/** The Runbooks tab of an entity: the runbooks that apply to it, and Run. */
export function EntityRunbooksContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(runbooksApiRef);
  const navigate = useNavigate();
  const runRoute = useRouteRef(runbookRunRouteRef);
  const [running, setRunning] = useState<RunbookSummary>();
  const { value, loading, error } = useAsync(
    () => api.listRunbooks({ entityRef }),
    [api, entityRef],
  );

  if (loading) return <Progress />;
  if (error)
    return <ErrorPanel error={error} title="Could not load runbooks" />;
  if (!value?.items.length) {
    return (
      <EmptyState
        missing="content"
        title="No runbook applies to this entity"
        description="Runbooks list the entities they target with a catalog filter (e.g. kind Cluster, spec.engine kafka). Add one next to its playbooks in git and register it in the catalog."
      />
    );
  }
  const untrustedTarget =
    value.target?.trusted === false ? value.target.reason : undefined;
  return (
    <>
      {untrustedTarget && (
        <Alert severity="warning" style={{ marginBottom: 16 }}>
          Runbooks cannot act on this entity. {untrustedTarget}
        </Alert>
      )}
      <Grid container spacing={2}>
        {value.items.map(runbook => (
          <Grid item xs={12} md={6} key={runbook.entityRef}>
            <RunbookCard
              runbook={runbook}
              entity={entity}
              entityRef={entityRef}
              untrustedTarget={untrustedTarget}
              onRun={() => setRunning(runbook)}
            />
          </Grid>
        ))}
      </Grid>
      <Dialog
        open={!!running}
        onClose={() => setRunning(undefined)}
        fullWidth
        maxWidth="md"
      >
        {running && (
          <>
            <DialogTitle>
              Run {running.title ?? running.name} on{' '}
              {entity.metadata.title ?? entity.metadata.name}
            </DialogTitle>
            <DialogContent>
              <StartRunForm
                runbook={running}
                targets={[entity]}
                onStarted={run => navigate(runRoute({ id: run.id }))}
                onCancel={() => setRunning(undefined)}
              />
            </DialogContent>
          </>
        )}
      </Dialog>
    </>
  );
}
