import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { plural, splitList } from '../shared/format';
import { TargetsDraft } from './draft';

/** Which services a change covers: the entities a search found, or a catalog filter. */
export function TargetsEditor(props: {
  targets: TargetsDraft;
  error?: string;
  onChange(targets: TargetsDraft): void;
}) {
  const { targets } = props;
  const set = (patch: Partial<TargetsDraft>) =>
    props.onChange({ ...targets, ...patch });
  const count = splitList(targets.entityRefs).length;
  return (
    <Box>
      <Typography variant="subtitle1">Targets</Typography>
      <RadioGroup
        row
        aria-label="Targets"
        value={targets.mode}
        onChange={e => set({ mode: e.target.value as TargetsDraft['mode'] })}
      >
        <FormControlLabel
          value="entities"
          control={<Radio color="primary" />}
          label="These entities"
        />
        <FormControlLabel
          value="filter"
          control={<Radio color="primary" />}
          label="A catalog filter"
        />
      </RadioGroup>
      {targets.mode === 'entities' ? (
        <TextField
          id="new-change-entities"
          label="Entities"
          placeholder="component:default/payments-api"
          helperText={`One entity ref a line · ${plural(count, 'service')}`}
          multiline
          minRows={3}
          maxRows={10}
          fullWidth
          value={targets.entityRefs}
          onChange={e => set({ entityRefs: e.target.value })}
          InputProps={{ style: { fontFamily: 'monospace' } }}
        />
      ) : (
        <Box display="flex" flexWrap="wrap" style={{ gap: 12 }}>
          {(
            [
              ['owner', 'Owners', 'group:default/payments'],
              ['system', 'Systems', 'payments-platform'],
              ['tag', 'Tags', 'java'],
              ['lifecycle', 'Lifecycles', 'production'],
            ] as const
          ).map(([key, label, placeholder]) => (
            <TextField
              key={key}
              id={`new-change-${key}`}
              label={label}
              placeholder={placeholder}
              size="small"
              value={targets[key]}
              onChange={e => set({ [key]: e.target.value })}
              style={{ minWidth: 200 }}
            />
          ))}
        </Box>
      )}
      <FormHelperText error={!!props.error}>
        {props.error ??
          (targets.mode === 'filter'
            ? 'Components matching every filter; comma-separated values match any of them'
            : '')}
      </FormHelperText>
    </Box>
  );
}
