import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { changeRouteRef } from '../../routes';
import { StateChip } from '../shared/StateChip';
import { useEntityChanges } from './useEntityChanges';

/** The change page's link, or none in an app that did not mount the page. */
function useChangeLink() {
  try {
    return useRouteRef(changeRouteRef);
  } catch {
    return undefined;
  }
}

/** "Changes" on a Component's page: the fleet-wide changes still open for it. */
export function EntityChangesCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const changeLink = useChangeLink();
  const { value, loading, error } = useEntityChanges(entityRef);

  let body;
  if (loading) body = <Progress />;
  else if (error)
    body = <ResponseErrorPanel error={error} title="Could not load changes" />;
  else if (!value?.length) {
    body = (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="changes-empty"
      >
        No open fleet-wide changes for this service.
      </Typography>
    );
  } else {
    body = (
      <List dense disablePadding>
        {value.map(({ change, repository }) => (
          <ListItem key={change.id} disableGutters divider>
            <ListItemText
              primary={
                changeLink ? (
                  <Link to={changeLink({ id: change.id })}>{change.title}</Link>
                ) : (
                  change.title
                )
              }
              secondary={repository?.error}
              secondaryTypographyProps={{ color: 'error' }}
            />
            <Box display="flex" alignItems="center" style={{ gap: 12 }} ml={2}>
              {repository?.pullRequest && (
                <Link
                  to={repository.pullRequest.url}
                  style={{ whiteSpace: 'nowrap' }}
                >
                  {repository.pullRequest.number
                    ? `PR #${repository.pullRequest.number}`
                    : 'compare'}
                </Link>
              )}
              {repository ? (
                <StateChip kind="repository" state={repository.state} />
              ) : (
                <StateChip kind="change" state={change.state} />
              )}
            </Box>
          </ListItem>
        ))}
      </List>
    );
  }
  return <InfoCard title="Changes">{body}</InfoCard>;
}
