import {
  Content,
  ContentHeader,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  FormControl,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api/DeploymentsApi';
import { shortSha, timeAgo } from '../shared/format';
import { DriftStatus } from './DriftStatus';

/**
 * The drift page: every deployed service with its environments side by side,
 * sorted by how far production is behind, filterable by owner and system.
 */
export const DriftPage = () => {
  const api = useApi(deploymentsApiRef);
  const [params, setParams] = useSearchParams();
  const owner = params.get('owner') ?? '';
  const system = params.get('system') ?? '';
  const { value, loading, error } = useAsync(() => api.getDrift(), [api]);

  const setFilter = (name: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(name, v);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  if (error) return <ResponseErrorPanel error={error} />;
  if (loading || !value) return <Progress />;

  const owners = [
    ...new Set(value.services.map(s => s.owner).filter(Boolean)),
  ].sort() as string[];
  const systems = [
    ...new Set(value.services.map(s => s.system).filter(Boolean)),
  ].sort() as string[];
  const rows = value.services.filter(
    s => (!owner || s.owner === owner) && (!system || s.system === system),
  );

  return (
    <Content>
      <ContentHeader title="Deployment drift">
        <SupportButton>
          Which commit runs in each environment, and how far{' '}
          {value.productionEnvironment} is behind.
        </SupportButton>
      </ContentHeader>
      <Box display="flex" mb={2} style={{ gap: 16 }}>
        {[
          ['owner', 'Owner', owner, owners],
          ['system', 'System', system, systems],
        ].map(([name, label, current, options]) => (
          <FormControl
            key={name as string}
            variant="outlined"
            size="small"
            style={{ minWidth: 200 }}
          >
            <InputLabel id={`drift-${name}`}>{label as string}</InputLabel>
            <Select
              labelId={`drift-${name}`}
              label={label as string}
              value={current as string}
              onChange={e =>
                setFilter(name as string, e.target.value as string)
              }
            >
              <MenuItem value="">All</MenuItem>
              {(options as string[]).map(o => (
                <MenuItem key={o} value={o}>
                  {o}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        ))}
      </Box>
      <TableContainer component={Paper}>
        <Table size="small" aria-label="Deployment drift">
          <TableHead>
            <TableRow>
              <TableCell>Service</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>System</TableCell>
              {value.environments.map(env => (
                <TableCell key={env}>{env}</TableCell>
              ))}
              <TableCell>Drift</TableCell>
              <TableCell>Oldest undeployed commit</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(s => (
              <TableRow key={s.entityRef} data-testid="drift-row">
                <TableCell>
                  <EntityRefLink entityRef={s.entityRef} title={s.title} />
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  {s.owner}
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  {s.system}
                </TableCell>
                {value.environments.map(env => {
                  const e = s.environments.find(x => x.environment === env);
                  return (
                    <TableCell key={env} title={e?.deployedAt}>
                      {e?.commitSha ? (
                        <>
                          <Typography
                            variant="body2"
                            style={{ fontFamily: 'monospace' }}
                          >
                            {shortSha(e.commitSha)}
                          </Typography>
                          <Typography variant="caption" color="textSecondary">
                            {[e.version, timeAgo(e.deployedAt)]
                              .filter(Boolean)
                              .join(' · ')}
                          </Typography>
                        </>
                      ) : (
                        <Typography variant="caption" color="textSecondary">
                          —
                        </Typography>
                      )}
                    </TableCell>
                  );
                })}
                <TableCell>
                  <DriftStatus
                    entry={s}
                    production={value.productionEnvironment}
                  />
                </TableCell>
                <TableCell title={s.oldestUndeployedAt}>
                  {timeAgo(s.oldestUndeployedAt)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {rows.length === 0 && (
        <Box p={2}>
          <Typography color="textSecondary">
            No deployed services match.
          </Typography>
        </Box>
      )}
    </Content>
  );
};
