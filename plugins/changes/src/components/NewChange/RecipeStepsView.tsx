import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { RecipeStep } from '@fleetdeck/plugin-changes-common';
import { ReactNode } from 'react';

/** An argument as a shell would need it written: bare when safe, else single-quoted. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const mono = { fontFamily: 'monospace', whiteSpace: 'pre-wrap' } as const;

function Field(props: { label: string; children: ReactNode }) {
  return (
    <Box display="flex" style={{ gap: 8 }}>
      <Typography variant="body2" color="textSecondary" style={{ width: 110 }}>
        {props.label}
      </Typography>
      <Typography
        variant="body2"
        component="div"
        style={{ ...mono, flex: 1, wordBreak: 'break-all' }}
      >
        {props.children}
      </Typography>
    </Box>
  );
}

function StepFields(props: { step: RecipeStep }) {
  const { step } = props;
  if (step.type === 'command') {
    return (
      <>
        <Field label="Command">{step.command.map(shellQuote).join(' ')}</Field>
        <Field label="Time limit">{step.timeoutSeconds} s</Field>
      </>
    );
  }
  if (step.type === 'replace') {
    return (
      <>
        <Field label="Files">{step.files.join(', ')}</Field>
        <Field label={step.fixedString ? 'Text' : 'Pattern'}>
          {step.pattern}
          {step.flags ? ` (flags ${step.flags})` : ''}
        </Field>
        <Field label="Replacement">{step.replacement}</Field>
      </>
    );
  }
  return (
    <>
      <Field label="Files">{step.files.join(', ')}</Field>
      <Field label="Field">{step.path}</Field>
      <Field label="Value">{JSON.stringify(step.value)}</Field>
      {step.create && <Field label="">Created where missing</Field>}
    </>
  );
}

const kinds: Record<RecipeStep['type'], string> = {
  replace: 'replace text',
  setField: 'set a YAML/JSON field',
  command: 'run a command (sandboxed, in the checkout)',
};

/** A configured recipe's steps, read-only. */
export function RecipeStepsView(props: { steps: RecipeStep[] }) {
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
      {props.steps.map((step, i) => (
        <Paper key={i} variant="outlined" data-testid="recipe-step">
          <Box p={2} display="flex" flexDirection="column" style={{ gap: 8 }}>
            <Typography variant="subtitle2">
              Step {i + 1}: {kinds[step.type]}
            </Typography>
            <StepFields step={step} />
          </Box>
        </Paper>
      ))}
    </Box>
  );
}
