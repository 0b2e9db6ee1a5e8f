import { ChangeSummary } from '@fleetdeck/plugin-changes-common';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { repositoryStateOrder, repositoryStateStyles } from './status';

/** Props of {@link CountsBar}. */
export interface CountsBarProps {
  counts: ChangeSummary['counts'];
  total: number;
  /** Show a legend with each state's count under the bar. */
  legend?: boolean;
  height?: number;
}

/**
 * Where a change stands across its repositories as one picture: a stacked
 * horizontal bar, one segment per state in that state's colour.
 */
export function CountsBar(props: CountsBarProps) {
  const { counts, legend, height = legend ? 16 : 10 } = props;
  const parts = repositoryStateOrder
    .map(state => ({ state, count: counts[state] ?? 0 }))
    .filter(p => p.count > 0);
  const sum = parts.reduce((n, p) => n + p.count, 0);
  const total = Math.max(props.total, sum);
  const summary = parts.length
    ? parts
        .map(
          p =>
            `${p.count} ${repositoryStateStyles[
              p.state
            ].label.toLocaleLowerCase('en-US')}`,
        )
        .join(', ')
    : 'no repositories';

  return (
    <Box minWidth={legend ? undefined : 120}>
      <Box
        role="img"
        aria-label={summary}
        display="flex"
        height={height}
        borderRadius={height / 2}
        overflow="hidden"
        bgcolor="action.hover"
        data-testid="counts-bar"
      >
        {parts.map(p => (
          <Tooltip
            key={p.state}
            title={`${repositoryStateStyles[p.state].label}: ${p.count}`}
          >
            <Box
              data-testid={`counts-segment-${p.state}`}
              width={`${(p.count / total) * 100}%`}
              minWidth={3}
              style={{ backgroundColor: repositoryStateStyles[p.state].color }}
            />
          </Tooltip>
        ))}
      </Box>
      {legend && (
        <Box display="flex" flexWrap="wrap" mt={1} style={{ gap: '4px 16px' }}>
          {parts.map(p => (
            <Box
              key={p.state}
              display="flex"
              alignItems="center"
              style={{ gap: 6 }}
              data-testid={`legend-${p.state}`}
            >
              <Box
                width={12}
                height={12}
                borderRadius={3}
                style={{
                  backgroundColor: repositoryStateStyles[p.state].color,
                }}
              />
              <Typography variant="body2" component="span">
                {repositoryStateStyles[p.state].label}{' '}
                <strong>{p.count}</strong>
              </Typography>
            </Box>
          ))}
          <Typography variant="body2" component="span" color="textSecondary">
            of {total} {total === 1 ? 'repository' : 'repositories'}
          </Typography>
        </Box>
      )}
    </Box>
  );
}
