import { parseEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { SearchRepositoryResult } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { plural } from '../shared/format';
import { findMatches } from './findMatches';
import { HighlightedLine } from './HighlightedLine';

/**
 * The owner as an entity ref: the server may send the Component's
 * `spec.owner` as written (`payments`), which EntityRefLink cannot parse.
 */
function ownerRef(owner: string) {
  try {
    return parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch {
    return undefined;
  }
}

/** One service's hits: its name, owner and repository, then file:line and the line. */
export function ServiceResult(props: {
  result: SearchRepositoryResult;
  query: string;
  regex: boolean;
  ignoreCase: boolean;
}) {
  const { result } = props;
  const repoUrl = result.repository.webUrl ?? result.repository.url;
  const owner = result.owner ? ownerRef(result.owner) : undefined;
  return (
    <Paper variant="outlined" data-testid="search-service">
      <Box
        display="flex"
        alignItems="baseline"
        flexWrap="wrap"
        px={2}
        py={1}
        style={{ gap: 12 }}
        borderBottom={1}
        borderColor="divider"
      >
        <Typography variant="subtitle1" component="h3">
          <EntityRefLink entityRef={result.entityRef} title={result.title} />
        </Typography>
        {result.owner && (
          <Typography
            variant="body2"
            color="textSecondary"
            style={{ whiteSpace: 'nowrap' }}
          >
            owner{' '}
            {owner ? (
              <EntityRefLink entityRef={owner} defaultKind="group" />
            ) : (
              result.owner
            )}
          </Typography>
        )}
        {result.system && (
          <Typography
            variant="body2"
            color="textSecondary"
            style={{ whiteSpace: 'nowrap' }}
          >
            system {result.system}
          </Typography>
        )}
        <Box flexGrow={1} />
        <Typography variant="body2" color="textSecondary">
          {plural(result.matches.length, 'match', 'matches')}
          {result.truncated ? ' (more not shown)' : ''}
        </Typography>
        {result.repository.webUrl && (
          <Link to={repoUrl} variant="body2">
            repository
          </Link>
        )}
      </Box>
      <Box component="ul" m={0} px={2} py={1} style={{ listStyle: 'none' }}>
        {result.matches.map(m => (
          <Box
            component="li"
            key={`${m.path}:${m.line}`}
            display="flex"
            style={{ gap: 16 }}
            py={0.25}
            data-testid="search-match"
          >
            <Box
              flexShrink={0}
              minWidth={220}
              style={{ fontFamily: 'monospace', fontSize: '0.85rem' }}
            >
              {m.url ? (
                <Link to={m.url}>
                  {m.path}:{m.line}
                </Link>
              ) : (
                `${m.path}:${m.line}`
              )}
            </Box>
            <HighlightedLine
              text={m.text}
              ranges={findMatches(m.text, props.query, props)}
            />
          </Box>
        ))}
      </Box>
    </Paper>
  );
}
