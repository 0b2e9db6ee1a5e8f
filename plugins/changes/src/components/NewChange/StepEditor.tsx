import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import { DraftErrors, SetFieldDraft, StepDraft } from './draft';

/** Props of {@link StepEditor}. */
export interface StepEditorProps {
  index: number;
  step: StepDraft;
  errors: DraftErrors;
  onChange(step: StepDraft): void;
  onRemove(): void;
}

const mono = { style: { fontFamily: 'monospace' } };

/** One recipe step: a replace (pattern → replacement) or a set-field. */
export function StepEditor(props: StepEditorProps) {
  const { index, step, errors } = props;
  const err = (field: string) => errors[`steps.${index}.${field}`];
  const n = index + 1;
  const files = (
    <TextField
      id={`step-${index}-files`}
      label={`Step ${n} files`}
      placeholder="Dockerfile, **/*.yaml"
      helperText={
        err('files') ??
        'Globs, comma-separated, relative to the repository root'
      }
      error={!!err('files')}
      value={step.files}
      onChange={e => props.onChange({ ...step, files: e.target.value })}
      fullWidth
      size="small"
      InputProps={mono}
    />
  );

  return (
    <Paper variant="outlined" data-testid="recipe-step">
      <Box p={2} display="flex" flexDirection="column" style={{ gap: 12 }}>
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="subtitle2">
            Step {n}:{' '}
            {step.type === 'replace' ? 'replace text' : 'set a YAML/JSON field'}
          </Typography>
          <IconButton
            aria-label={`Remove step ${n}`}
            size="small"
            onClick={props.onRemove}
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Box>
        {files}
        {step.type === 'replace' ? (
          <>
            <Box display="flex" style={{ gap: 12 }}>
              <TextField
                id={`step-${index}-pattern`}
                label={`Step ${n} pattern`}
                value={step.pattern}
                error={!!err('pattern')}
                helperText={
                  err('pattern') ??
                  (step.fixedString
                    ? 'Matched literally'
                    : 'A JavaScript regular expression; the replacement may use $1, $<name>')
                }
                onChange={e =>
                  props.onChange({ ...step, pattern: e.target.value })
                }
                fullWidth
                size="small"
                InputProps={mono}
              />
              <TextField
                id={`step-${index}-replacement`}
                label={`Step ${n} replacement`}
                value={step.replacement}
                error={!!err('replacement')}
                helperText={err('replacement') ?? ' '}
                onChange={e =>
                  props.onChange({ ...step, replacement: e.target.value })
                }
                fullWidth
                size="small"
                InputProps={mono}
              />
            </Box>
            <Box display="flex" style={{ gap: 12 }}>
              <FormControlLabel
                control={
                  <Checkbox
                    color="primary"
                    checked={!step.fixedString}
                    onChange={e =>
                      props.onChange({
                        ...step,
                        fixedString: !e.target.checked,
                      })
                    }
                  />
                }
                label="Regular expression"
              />
              <FormControlLabel
                control={
                  <Checkbox
                    color="primary"
                    checked={step.ignoreCase}
                    onChange={e =>
                      props.onChange({ ...step, ignoreCase: e.target.checked })
                    }
                  />
                }
                label="Ignore case"
              />
            </Box>
          </>
        ) : (
          <Box display="flex" alignItems="flex-start" style={{ gap: 12 }}>
            <TextField
              id={`step-${index}-path`}
              label={`Step ${n} field path`}
              placeholder="image.tag"
              value={step.path}
              error={!!err('path')}
              helperText={err('path') ?? 'Dot-separated keys'}
              onChange={e => props.onChange({ ...step, path: e.target.value })}
              fullWidth
              size="small"
              InputProps={mono}
            />
            <TextField
              select
              id={`step-${index}-type`}
              label={`Step ${n} type`}
              value={step.valueType}
              onChange={e => {
                const valueType = e.target.value as SetFieldDraft['valueType'];
                props.onChange({
                  ...step,
                  valueType,
                  value: valueType === 'boolean' ? 'true' : step.value,
                });
              }}
              size="small"
              style={{ minWidth: 110 }}
            >
              <MenuItem value="string">text</MenuItem>
              <MenuItem value="number">number</MenuItem>
              <MenuItem value="boolean">true/false</MenuItem>
            </TextField>
            {step.valueType === 'boolean' ? (
              <TextField
                select
                id={`step-${index}-value`}
                label={`Step ${n} value`}
                value={step.value}
                onChange={e =>
                  props.onChange({ ...step, value: e.target.value })
                }
                size="small"
                style={{ minWidth: 110 }}
              >
                <MenuItem value="true">true</MenuItem>
                <MenuItem value="false">false</MenuItem>
              </TextField>
            ) : (
              <TextField
                id={`step-${index}-value`}
                label={`Step ${n} value`}
                value={step.value}
                error={!!err('value')}
                helperText={err('value') ?? ' '}
                onChange={e =>
                  props.onChange({ ...step, value: e.target.value })
                }
                fullWidth
                size="small"
                InputProps={mono}
              />
            )}
            <FormControlLabel
              control={
                <Checkbox
                  color="primary"
                  checked={step.create}
                  onChange={e =>
                    props.onChange({ ...step, create: e.target.checked })
                  }
                />
              }
              label="Create if missing"
              style={{ whiteSpace: 'nowrap' }}
            />
          </Box>
        )}
      </Box>
    </Paper>
  );
}
