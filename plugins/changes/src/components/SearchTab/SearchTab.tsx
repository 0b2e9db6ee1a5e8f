import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import { useMemo } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { changesApiRef } from '../../api/ChangesApi';
import { newChangeRouteRef } from '../../routes';
import { NewChangePrefill } from '../NewChange/prefill';
import { plural, splitList } from '../shared/format';
import {
  fieldsFromParams,
  fieldsToParams,
  fieldsToQuery,
} from './searchParams';
import { SearchForm } from './SearchForm';
import { ServiceResult } from './ServiceResult';

/**
 * Code search across every service's repository, results grouped by service;
 * the hits can become the targets of a new change.
 */
export function SearchTab() {
  const api = useApi(changesApiRef);
  const navigate = useNavigate();
  const newChange = useRouteRef(newChangeRouteRef);
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const fields = useMemo(
    () => fieldsFromParams(new URLSearchParams(key)),
    [key],
  );
  const search = useAsync(
    async () => (fields.query ? api.search(fieldsToQuery(fields)) : undefined),
    [api, fields],
  );
  const value = search.value;
  const matchCount =
    value?.results.reduce((n, r) => n + r.matches.length, 0) ?? 0;

  const createChange = () => {
    const prefill: NewChangePrefill = {
      entityRefs: value?.results.map(r => r.entityRef) ?? [],
      pattern: fields.query,
      fixedString: !fields.regex,
      ignoreCase: fields.ignoreCase,
      files: splitList(fields.files),
    };
    navigate(newChange(), { state: { prefill } });
  };

  return (
    <Box>
      <SearchForm
        initial={fields}
        busy={search.loading}
        onSearch={f => setParams(fieldsToParams(f))}
      />
      <Box mt={3}>
        {search.loading && <Progress />}
        {search.error && (
          <ResponseErrorPanel error={search.error} title="The search failed" />
        )}
        {value && (
          <>
            <Box
              display="flex"
              alignItems="center"
              justifyContent="space-between"
              flexWrap="wrap"
              mb={2}
              style={{ gap: 12 }}
            >
              <Typography variant="subtitle1" data-testid="search-summary">
                <strong>{plural(matchCount, 'match', 'matches')}</strong> in{' '}
                <strong>{plural(value.results.length, 'service')}</strong>
                <Typography
                  component="span"
                  variant="body2"
                  color="textSecondary"
                >
                  {' '}
                  · searched{' '}
                  {plural(value.searched, 'repository', 'repositories')} in{' '}
                  {value.durationMs} ms
                </Typography>
              </Typography>
              <Button
                variant="contained"
                color="primary"
                startIcon={<AddIcon />}
                disabled={value.results.length === 0}
                onClick={createChange}
              >
                Create change from these results
              </Button>
            </Box>
            {value.failed.length > 0 && (
              <Box mb={2}>
                <WarningPanel
                  title={`${plural(
                    value.failed.length,
                    'repository',
                    'repositories',
                  )} could not be searched`}
                >
                  {value.failed.map(f => (
                    <div key={f.entityRef}>
                      {f.entityRef}: {f.message}
                    </div>
                  ))}
                </WarningPanel>
              </Box>
            )}
            {value.results.length === 0 && (
              <Typography color="textSecondary">
                Nothing matches in the repositories searched.
              </Typography>
            )}
            <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
              {value.results.map(r => (
                <ServiceResult
                  key={r.entityRef}
                  result={r}
                  query={fields.query}
                  regex={fields.regex}
                  ignoreCase={fields.ignoreCase}
                />
              ))}
            </Box>
          </>
        )}
      </Box>
    </Box>
  );
}
