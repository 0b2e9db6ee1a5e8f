import { RunLogLine } from '@fleetdeck/plugin-runbooks-common';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef, useState } from 'react';

const LINE_HEIGHT = 18;
const HEIGHT = 420;
const OVERSCAN = 20;

const levelColor = { info: undefined, warn: '#f0b400', error: '#ff6b6b' };

/**
 * A virtualized log: only the lines in view are in the DOM, so a log of
 * 100,000 lines scrolls as smoothly as one of 100. Follows new lines while
 * scrolled to the bottom; scrolling up stops following.
 */
export function LogView(props: { lines: RunLogLine[]; live: boolean }) {
  const { lines, live } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [follow, setFollow] = useState(true);

  useEffect(() => {
    if (follow && ref.current) {
      ref.current.scrollTop = lines.length * LINE_HEIGHT;
      setScrollTop(ref.current.scrollTop);
    }
  }, [follow, lines.length]);

  const first = Math.max(0, Math.floor(scrollTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(
    lines.length,
    Math.ceil((scrollTop + HEIGHT) / LINE_HEIGHT) + OVERSCAN,
  );
  const visible = lines.slice(first, last);

  return (
    <Box>
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="caption" color="textSecondary">
          {lines.length.toLocaleString('en-US')} lines
          {live ? ' · live' : ''}
        </Typography>
        <FormControlLabel
          control={
            <Switch
              size="small"
              checked={follow}
              onChange={(_e, checked) => setFollow(checked)}
            />
          }
          label="Follow"
        />
      </Box>
      <div
        ref={ref}
        role="log"
        aria-label="Target log"
        onScroll={e => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          const atBottom =
            el.scrollHeight - el.scrollTop - el.clientHeight < LINE_HEIGHT * 2;
          if (follow !== atBottom) setFollow(atBottom);
        }}
        style={{
          height: HEIGHT,
          overflowY: 'auto',
          background: '#1e1e1e',
          color: '#e0e0e0',
          fontFamily: 'monospace',
          fontSize: 12,
          position: 'relative',
        }}
      >
        <div
          style={{ height: lines.length * LINE_HEIGHT, position: 'relative' }}
        >
          {visible.map((line, i) => (
            <div
              key={line.id}
              style={{
                position: 'absolute',
                top: (first + i) * LINE_HEIGHT,
                height: LINE_HEIGHT,
                lineHeight: `${LINE_HEIGHT}px`,
                whiteSpace: 'pre',
                paddingLeft: 8,
                color: levelColor[line.level],
              }}
            >
              {line.message}
            </div>
          ))}
        </div>
        {lines.length === 0 && (
          <Box p={1} color="#9e9e9e">
            {live ? 'Waiting for output…' : 'No output.'}
          </Box>
        )}
      </div>
    </Box>
  );
}
