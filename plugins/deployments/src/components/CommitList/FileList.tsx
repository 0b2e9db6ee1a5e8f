import { ChangedFile } from '@fleetdeck/plugin-deployments-common';
import { Box, Typography } from '@material-ui/core';

/** Files changed, with additions and deletions as numstat reports them. */
export const FileList = ({ files }: { files: ChangedFile[] }) => (
  <Box component="ul" m={0} pl={2} data-testid="file-list">
    {files.map(f => (
      <li key={f.path}>
        <Typography
          variant="body2"
          component="span"
          style={{ fontFamily: 'monospace' }}
        >
          {f.path}
        </Typography>{' '}
        {f.additions === undefined ? (
          <Typography variant="caption" color="textSecondary">
            binary
          </Typography>
        ) : (
          <Typography variant="caption">
            <Box component="span" color="success.main">
              +{f.additions}
            </Box>{' '}
            <Box component="span" color="error.main">
              −{f.deletions}
            </Box>
          </Typography>
        )}
      </li>
    ))}
  </Box>
);
