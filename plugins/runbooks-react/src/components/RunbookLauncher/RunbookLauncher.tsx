import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, ErrorPanel, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { RunbookSummary, RunSummary } from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { runbooksApiRef } from '../../api';
import { StartRunForm } from '../StartRunForm';
import { planTargets } from './planTargets';

/** Props of {@link RunbookLauncher}. @public */
export interface RunbookLauncherProps {
  /** The selected entities, e.g. clusters ticked on the Fleet page. */
  entityRefs: string[];
  onStarted(run: RunSummary): void;
  onCancel?(): void;
  /** Runbook to pick first, when it applies to the selection. */
  runbookRef?: string;
  /** Parameters to fill in first (the form's defaults fill the rest). */
  initialParameters?: Record<string, unknown>;
}

/**
 * Runs one runbook on many entities: lists the runbooks that apply to the
 * selection, shows selected entities outside the chosen runbook's filter as
 * excluded with the reason, then the parameters form and start button.
 * @public
 */
export function RunbookLauncher(props: RunbookLauncherProps) {
  const { entityRefs, onStarted, onCancel } = props;
  const catalogApi = useApi(catalogApiRef);
  const runbooksApi = useApi(runbooksApiRef);
  const [selectedRef, setSelectedRef] = useState(props.runbookRef);

  const { value, loading, error } = useAsync(async () => {
    const [{ items: runbooks }, { items }] = await Promise.all([
      runbooksApi.listRunbooks(),
      catalogApi.getEntitiesByRefs({ entityRefs }),
    ]);
    const entities = items.filter((e): e is Entity => !!e);
    const missing = entityRefs.filter((_ref, i) => !items[i]);
    const plans = runbooks
      .map(runbook => ({
        runbook,
        ...planTargets(runbook, entities, missing),
      }))
      .filter(p => p.targets.length > 0)
      .sort(
        (a, b) =>
          // runbooks that cannot run (untrusted source) come last
          Number(a.runbook.trust?.trusted === false) -
            Number(b.runbook.trust?.trusted === false) ||
          a.excluded.length - b.excluded.length ||
          a.runbook.name.localeCompare(b.runbook.name),
      );
    return { plans, total: entityRefs.length };
  }, [entityRefs.join(',')]);

  const plan = useMemo(
    () => value?.plans.find(p => p.runbook.entityRef === selectedRef),
    [value, selectedRef],
  );

  if (loading) return <Progress />;
  if (error)
    return <ErrorPanel error={error} title="Could not load runbooks" />;
  if (!value || value.plans.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No runbook applies to this selection"
        description="Runbooks target entities by a catalog filter; none matches any selected entity."
      />
    );
  }

  return (
    <Box>
      <Typography variant="subtitle2">
        {value.total} selected. Pick a runbook:
      </Typography>
      <List dense aria-label="Runbooks for the selection">
        {value.plans.map(p => (
          <ListItem
            key={p.runbook.entityRef}
            button
            disabled={p.runbook.trust?.trusted === false}
            selected={p.runbook.entityRef === selectedRef}
            onClick={() => setSelectedRef(p.runbook.entityRef)}
          >
            <ListItemText
              primary={p.runbook.title ?? p.runbook.name}
              secondary={describePlan(p, value.total)}
            />
          </ListItem>
        ))}
      </List>
      {plan && (
        <Box mt={2}>
          {plan.runbook.description && (
            <Typography variant="body2" paragraph>
              {plan.runbook.description}
            </Typography>
          )}
          {plan.excluded.length > 0 && (
            <Box mb={2}>
              <Alert severity="warning">
                <Typography variant="body2">
                  {plan.excluded.length} excluded (outside the runbook's
                  targets):
                </Typography>
                <ul aria-label="Excluded targets" style={{ margin: 0 }}>
                  {plan.excluded.map(x => (
                    <li key={x.entityRef}>
                      {x.title}: {x.reasons.join('; ')}
                    </li>
                  ))}
                </ul>
              </Alert>
            </Box>
          )}
          <StartRunForm
            key={plan.runbook.entityRef}
            runbook={plan.runbook}
            targets={plan.targets}
            initialParameters={
              plan.runbook.entityRef === props.runbookRef
                ? props.initialParameters
                : undefined
            }
            onStarted={onStarted}
            onCancel={onCancel}
          />
        </Box>
      )}
    </Box>
  );
}

/** What a runbook in the list would do with the selection, or why it cannot. */
function describePlan(
  plan: { runbook: RunbookSummary; targets: unknown[]; excluded: unknown[] },
  total: number,
): string {
  if (plan.runbook.trust?.trusted === false) {
    return plan.runbook.trust.reason ?? 'Not trusted';
  }
  if (plan.excluded.length === 0)
    return `applies to all ${plan.targets.length}`;
  return `applies to ${plan.targets.length} of ${total} (${plan.excluded.length} excluded)`;
}

/** Entity refs of entities, for {@link RunbookLauncher}. @public */
export const toEntityRefs = (entities: Entity[]) =>
  entities.map(e => stringifyEntityRef(e));
