import { Link } from '@backstage/core-components';
import { EnvironmentDeployments } from '@fleetdeck/plugin-deployments-common';
import {
  Box,
  Card,
  CardContent,
  Chip,
  Tooltip,
  Typography,
} from '@material-ui/core';
import WarningIcon from '@material-ui/icons/Warning';
import { shortSha, timeAgo } from '../shared/format';

/** One environment's column: what runs there now, and what ran before. */
export const EnvironmentCard = ({ env }: { env: EnvironmentDeployments }) => {
  const d = env.current;
  return (
    <Card
      data-testid={`environment-${env.environment}`}
      variant="outlined"
      style={{ minWidth: 220, flex: 1 }}
    >
      <CardContent>
        <Typography variant="overline">{env.environment}</Typography>
        {!d ? (
          <Typography color="textSecondary">Nothing deployed</Typography>
        ) : (
          <>
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <Typography
                variant="h6"
                style={{ fontFamily: 'monospace' }}
                title={d.commitSha}
              >
                {d.commitUrl ? (
                  <Link to={d.commitUrl}>{shortSha(d.commitSha)}</Link>
                ) : (
                  shortSha(d.commitSha)
                )}
              </Typography>
              {d.version && <Chip size="small" label={d.version} />}
              {d.warning && (
                <Tooltip title={d.warning}>
                  <WarningIcon
                    color="error"
                    fontSize="small"
                    aria-label={d.warning}
                  />
                </Tooltip>
              )}
            </Box>
            <Typography variant="body2" title={d.deployedAt}>
              Deployed {timeAgo(d.deployedAt)}
              {d.deployedBy ? ` by ${d.deployedBy}` : ''}
            </Typography>
            {d.pipelineUrl && (
              <Typography variant="body2">
                <Link to={d.pipelineUrl}>Pipeline run</Link>
              </Typography>
            )}
            {env.history.length > 1 && (
              <Box mt={1}>
                <Typography variant="caption" color="textSecondary">
                  Before:
                </Typography>
                {env.history
                  .filter(h => h.id !== d.id)
                  .slice(0, 4)
                  .map(h => (
                    <Typography
                      key={h.id}
                      variant="caption"
                      display="block"
                      title={h.deployedAt}
                    >
                      <span style={{ fontFamily: 'monospace' }}>
                        {shortSha(h.commitSha)}
                      </span>
                      {h.version ? ` ${h.version}` : ''} ·{' '}
                      {timeAgo(h.deployedAt)}
                      {h.status !== 'succeeded' ? ` · ${h.status}` : ''}
                    </Typography>
                  ))}
              </Box>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
};
