import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Card, CardContent, Typography } from '@material-ui/core';
import { Fragment, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api/DeploymentsApi';
import { CommitList } from '../CommitList/CommitList';
import { ComparisonButton } from './ComparisonButton';
import { EnvironmentCard } from './EnvironmentCard';

/**
 * The Deployments tab: one column per environment with what runs there, and
 * between neighbours how many commits apart they are, expandable to the
 * commits with their authors, PR and ticket links and files.
 */
export const EntityDeploymentsContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deploymentsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getOverview(entityRef),
    [api, entityRef],
  );
  const [open, setOpen] = useState<string>();

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  if (!value.environments.some(e => e.current)) {
    return (
      <EmptyState
        missing="data"
        title="No deployments recorded"
        description="Pipelines record deployments with POST /api/deployments/v1/deployments, or a pull source such as Argo CD reports them."
      />
    );
  }
  const opened = value.comparisons.find(c => `${c.head}:${c.base}` === open);
  const sha = (env: string) =>
    value.environments.find(e => e.environment === env)!.current!.commitSha;

  return (
    <Box>
      {value.repositoryProblem && (
        <WarningPanel
          title="Commit diffs are unavailable"
          message={value.repositoryProblem}
        />
      )}
      <Box display="flex" alignItems="stretch" mb={2}>
        {value.environments.map(env => {
          const comparison = value.comparisons.find(
            c => c.head === env.environment,
          );
          const key = comparison && `${comparison.head}:${comparison.base}`;
          return (
            <Fragment key={env.environment}>
              <EnvironmentCard env={env} />
              {comparison && (
                <ComparisonButton
                  comparison={comparison}
                  open={open === key}
                  onToggle={() => setOpen(open === key ? undefined : key)}
                />
              )}
            </Fragment>
          );
        })}
      </Box>
      {opened?.summary && (
        <Card variant="outlined">
          <CardContent>
            <Typography variant="h6" gutterBottom>
              {opened.summary.status === 'behind'
                ? `Commits in ${opened.base} that ${opened.head} no longer has`
                : `Commits in ${opened.head} not yet in ${opened.base}`}
            </Typography>
            <CommitList
              entityRef={entityRef}
              base={sha(opened.base)}
              head={sha(opened.head)}
              side={opened.summary.status === 'behind' ? 'behind' : 'ahead'}
            />
          </CardContent>
        </Card>
      )}
    </Box>
  );
};
