import { ButtonBase, Typography } from '@material-ui/core';

/** One bar of a {@link BarList}. */
export interface Bar {
  key: string;
  label: string;
  count: number;
  color: string;
  /** What a screen reader announces, and the button's accessible name. */
  ariaLabel: string;
  selected?: boolean;
  /** Part of the bar drawn darker, e.g. the end-of-life share of outdated. */
  inner?: { count: number; color: string };
}

/**
 * Horizontal bars, one button each: label, bar scaled to `max`, count. A
 * click filters the table, so every bar is a link into the fleet.
 */
export const BarList = (props: {
  bars: Bar[];
  max: number;
  label: string;
  onClick: (bar: Bar) => void;
}) => {
  const { bars, max, onClick } = props;
  return (
    <div role="group" aria-label={props.label}>
      {bars.map(bar => (
        <ButtonBase
          key={bar.key}
          onClick={() => onClick(bar)}
          aria-label={bar.ariaLabel}
          aria-pressed={!!bar.selected}
          style={{
            display: 'grid',
            gridTemplateColumns: '8rem 1fr 2.25rem',
            alignItems: 'center',
            gap: 8,
            width: '100%',
            padding: '2px 4px',
            borderRadius: 4,
            outline: bar.selected ? `2px solid ${bar.color}` : undefined,
            textAlign: 'left',
          }}
        >
          <Typography variant="body2" noWrap title={bar.label}>
            {bar.label}
          </Typography>
          <span
            style={{
              height: 14,
              background: 'rgba(127,127,127,0.15)',
              borderRadius: 3,
              overflow: 'hidden',
              display: 'flex',
            }}
          >
            <span
              style={{
                width: `${max ? (100 * bar.count) / max : 0}%`,
                minWidth: bar.count ? 3 : 0,
                background: bar.color,
                display: 'flex',
                justifyContent: 'flex-end',
              }}
            >
              {bar.inner && bar.count > 0 && (
                <span
                  style={{
                    width: `${(100 * bar.inner.count) / bar.count}%`,
                    background: bar.inner.color,
                  }}
                />
              )}
            </span>
          </span>
          <Typography variant="body2" align="right">
            <b>{bar.count}</b>
          </Typography>
        </ButtonBase>
      ))}
    </div>
  );
};
