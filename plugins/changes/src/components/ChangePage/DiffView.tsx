import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { changesApiRef } from '../../api/ChangesApi';
import { errorMessage } from '../shared/errorMessage';

type LineType = 'file' | 'meta' | 'hunk' | 'add' | 'del' | 'context';

/** What a line of a unified diff is. */
export function diffLineType(line: string): LineType {
  if (line.startsWith('diff --git')) return 'file';
  if (
    /^(index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode)/.test(
      line,
    )
  ) {
    return 'meta';
  }
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'context';
}

const useStyles = makeStyles(theme => {
  const dark = theme.palette.type === 'dark';
  return {
    pre: {
      margin: 0,
      padding: theme.spacing(1, 0),
      fontFamily: 'monospace',
      fontSize: '0.8rem',
      lineHeight: 1.5,
      overflowX: 'auto',
      maxHeight: 600,
      backgroundColor: theme.palette.background.default,
      border: `1px solid ${theme.palette.divider}`,
      borderRadius: 4,
    },
    line: {
      padding: theme.spacing(0, 1.5),
      whiteSpace: 'pre',
      minHeight: '1.5em',
    },
    file: {
      fontWeight: 700,
      borderTop: `1px solid ${theme.palette.divider}`,
      paddingTop: 4,
    },
    meta: { color: theme.palette.text.secondary },
    hunk: {
      color: dark ? '#79c0ff' : '#0550ae',
      backgroundColor: dark ? '#121d2f' : '#ddf4ff',
    },
    add: {
      backgroundColor: dark ? '#12261e' : '#e6ffec',
      color: dark ? '#7ee787' : '#116329',
    },
    del: {
      backgroundColor: dark ? '#25171c' : '#ffebe9',
      color: dark ? '#ffa198' : '#82071e',
    },
    context: {},
  };
});

/** The exact `git diff` a change makes in one repository, + and - lines coloured. */
export function DiffView(props: { changeId: string; entityRef: string }) {
  const classes = useStyles();
  const api = useApi(changesApiRef);
  const { value, loading, error } = useAsync(
    () => api.getDiff(props.changeId, props.entityRef),
    [api, props.changeId, props.entityRef],
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <Alert severity="error">
        Could not load the diff: {errorMessage(error)}
      </Alert>
    );
  }
  const diff = value?.diff.replace(/\n$/, '') ?? '';
  if (!diff) {
    return (
      <Typography variant="body2" color="textSecondary">
        The recipe changes nothing in this repository.
      </Typography>
    );
  }
  return (
    <Box
      component="pre"
      className={classes.pre}
      aria-label={`Diff of ${props.entityRef}`}
      data-testid="diff"
    >
      {diff.split('\n').map((line, i) => {
        const type = diffLineType(line);
        return (
          <div
            key={i}
            className={`${classes.line} ${classes[type]}`}
            data-line={type}
          >
            {line}
          </div>
        );
      })}
    </Box>
  );
}
