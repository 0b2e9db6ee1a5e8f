import { Link } from '@backstage/core-components';
import { CommitReference } from '@fleetdeck/plugin-deployments-common';
import { Chip, Tooltip } from '@material-ui/core';

/** PR and ticket references of a commit, as small linked chips. */
export const ReferenceLinks = ({
  references,
}: {
  references: CommitReference[];
}) => (
  <>
    {references.map(ref => {
      const label =
        ref.type === 'pull-request' && ref.title
          ? `${ref.key} ${ref.title}`
          : ref.key;
      const chip = (
        <Chip
          size="small"
          variant="outlined"
          color={ref.type === 'ticket' ? 'primary' : 'default'}
          label={label}
          style={{
            marginLeft: 4,
            maxWidth: 360,
            cursor: ref.url ? 'pointer' : 'default',
          }}
        />
      );
      const tip = [
        ref.type === 'pull-request' ? 'Pull request' : 'Ticket',
        ref.author && `by ${ref.author}`,
        ref.state,
      ]
        .filter(Boolean)
        .join(' · ');
      return (
        <Tooltip key={`${ref.type}:${ref.key}`} title={tip}>
          {ref.url ? (
            <Link
              to={ref.url}
              aria-label={`${
                ref.type === 'ticket' ? 'Ticket' : 'Pull request'
              } ${ref.key}`}
            >
              {chip}
            </Link>
          ) : (
            chip
          )}
        </Tooltip>
      );
    })}
  </>
);
