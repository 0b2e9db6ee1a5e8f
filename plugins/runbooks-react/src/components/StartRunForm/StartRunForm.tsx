import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { RunSummary, RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { errorMessage, runbooksApiRef } from '../../api';
import { RunParametersForm } from '../RunParametersForm';
import { RunPlanSummary } from './RunPlanSummary';

/** Props of {@link StartRunForm}. @public */
export interface StartRunFormProps {
  runbook: RunbookSummary;
  /** Targets the run will have (already inside the runbook's filter). */
  targets: Entity[];
  onStarted(run: RunSummary): void;
  onCancel?(): void;
  /** Parameters to fill in first; the schema's defaults fill the rest. */
  initialParameters?: Record<string, unknown>;
}

/**
 * Parameters form, dry-run toggle, summary and the start button of one
 * runbook over a set of targets. A server refusal shows the server's message.
 * @public
 */
export function StartRunForm(props: StartRunFormProps) {
  const { runbook, targets, onStarted, onCancel } = props;
  const api = useApi(runbooksApiRef);
  const [formData, setFormData] = useState<Record<string, unknown>>(
    props.initialParameters ?? {},
  );
  const [dryRun, setDryRun] = useState(runbook.dryRunSupported);
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const start = async (parameters: Record<string, unknown>) => {
    setError(undefined);
    setStarting(true);
    try {
      const run = await api.startRun({
        runbookRef: runbook.entityRef,
        targets: targets.map(t => stringifyEntityRef(t)),
        parameters,
        dryRun,
      });
      onStarted(run);
    } catch (e) {
      setError(errorMessage(e));
      setStarting(false);
    }
  };

  return (
    <Box>
      <RunParametersForm
        parameters={runbook.parameters}
        formData={formData}
        onChange={setFormData}
        onSubmit={start}
        disabled={starting}
      >
        <Box my={2}>
          <FormControlLabel
            control={
              <Switch
                checked={dryRun}
                onChange={(_e, checked) => setDryRun(checked)}
                disabled={!runbook.dryRunSupported || starting}
                color="primary"
              />
            }
            label="Dry run (show what would change, change nothing)"
          />
        </Box>
        <RunPlanSummary runbook={runbook} targets={targets} dryRun={dryRun} />
        {error && (
          <Box mt={2}>
            <Alert severity="error">{error}</Alert>
          </Box>
        )}
        <Box mt={2} display="flex" style={{ gap: 8 }}>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={starting || targets.length === 0}
          >
            {dryRun ? 'Start dry run' : 'Start run'}
          </Button>
          {onCancel && (
            <Button onClick={onCancel} disabled={starting}>
              Cancel
            </Button>
          )}
        </Box>
      </RunParametersForm>
    </Box>
  );
}
