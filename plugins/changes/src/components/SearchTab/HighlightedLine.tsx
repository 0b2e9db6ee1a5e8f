import { makeStyles } from '@material-ui/core/styles';
import { Fragment } from 'react';
import { MatchRange } from './findMatches';

const useStyles = makeStyles(theme => ({
  line: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
  },
  mark: {
    backgroundColor: theme.palette.type === 'dark' ? '#7a5d00' : '#fff1a8',
    color: 'inherit',
    borderRadius: 2,
    padding: '0 1px',
  },
}));

/** A line of code with the parts the search matched highlighted. */
export function HighlightedLine(props: { text: string; ranges: MatchRange[] }) {
  const classes = useStyles();
  const { text, ranges } = props;
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push({ text: text.slice(at, start), match: false });
    parts.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return (
    <code className={classes.line}>
      {parts.map((p, i) =>
        p.match ? (
          <mark key={i} className={classes.mark}>
            {p.text}
          </mark>
        ) : (
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </code>
  );
}
