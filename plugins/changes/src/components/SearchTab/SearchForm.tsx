import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import { SearchFields } from './searchParams';

/** The code search's query box, its switches and optional filters. */
export function SearchForm(props: {
  initial: SearchFields;
  busy: boolean;
  onSearch(fields: SearchFields): void;
}) {
  const { initial } = props;
  const [fields, setFields] = useState(initial);
  // the URL is the source of truth: follow it on back/forward
  useEffect(() => setFields(initial), [initial]);
  const set = <K extends keyof SearchFields>(key: K, value: SearchFields[K]) =>
    setFields(f => ({ ...f, [key]: value }));

  return (
    <Box
      component="form"
      role="search"
      onSubmit={e => {
        e.preventDefault();
        if (fields.query.trim()) props.onSearch(fields);
      }}
    >
      <Box display="flex" alignItems="flex-start" style={{ gap: 12 }}>
        <TextField
          id="changes-search-query"
          label="Search the code of every service"
          placeholder={
            fields.regex ? 'log4j-core:2\\.1[0-6]' : 'FROM node:16-alpine'
          }
          variant="outlined"
          size="small"
          fullWidth
          value={fields.query}
          onChange={e => set('query', e.target.value)}
          InputProps={{ style: { fontFamily: 'monospace' } }}
        />
        <Button
          type="submit"
          variant="contained"
          color="primary"
          startIcon={<SearchIcon />}
          disabled={props.busy || !fields.query.trim()}
          style={{ height: 40 }}
        >
          Search
        </Button>
      </Box>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mt={1}
        style={{ gap: 12 }}
      >
        <FormControlLabel
          control={
            <Checkbox
              checked={fields.regex}
              onChange={e => set('regex', e.target.checked)}
              color="primary"
            />
          }
          label="Regular expression"
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={fields.ignoreCase}
              onChange={e => set('ignoreCase', e.target.checked)}
              color="primary"
            />
          }
          label="Ignore case"
        />
        {(
          [
            ['owner', 'Owners', 'group:default/payments'],
            ['system', 'Systems', 'payments-platform'],
            ['tag', 'Tags', 'java'],
            ['files', 'Files', 'Dockerfile, **/*.yaml'],
          ] as const
        ).map(([key, label, placeholder]) => (
          <TextField
            key={key}
            id={`changes-search-${key}`}
            label={label}
            placeholder={placeholder}
            size="small"
            value={fields[key]}
            onChange={e => set(key, e.target.value)}
            style={{ minWidth: 180 }}
          />
        ))}
      </Box>
    </Box>
  );
}
