import { Tooltip } from '@material-ui/core';
import {
  VersionPolicy,
  versionStatus,
  VersionStatus,
} from '@fleetdeck/plugin-fleet-common';
import { STATUS_COLORS, STATUS_LABELS } from './statusColors';

/** Why a version has its standing, in a sentence. */
export function describeStatus(
  policy: VersionPolicy,
  engine: string,
  version: string,
): string {
  const rule = policy[engine as keyof VersionPolicy];
  const status = versionStatus(policy, engine, version);
  if (!rule || status === 'unknown') return `No version policy for ${engine}`;
  if (status === 'eol')
    return `End-of-life (lines ${rule.endOfLife.join(', ')}); supported from ${
      rule.minimum
    }, target ${rule.target}`;
  if (status === 'outdated')
    return `Outdated: below the supported minimum ${rule.minimum}, target ${rule.target}`;
  return `Current: at or above the supported minimum ${rule.minimum}`;
}

/**
 * A cluster's version with its standing against the policy: a coloured dot,
 * and the word for anything that is not current, so it reads without colour.
 */
export const VersionChip = (props: {
  policy: VersionPolicy;
  engine: string;
  version: string;
}) => {
  const { policy, engine, version } = props;
  const status: VersionStatus = versionStatus(policy, engine, version);
  const color = STATUS_COLORS[status];
  return (
    <Tooltip title={describeStatus(policy, engine, version)}>
      <span
        data-version-status={status}
        style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}
      >
        {status !== 'unknown' && (
          <span
            aria-hidden
            style={{
              width: 10,
              height: 10,
              borderRadius: '50%',
              background: color,
              flex: 'none',
            }}
          />
        )}
        <span>{version}</span>
        {(status === 'outdated' || status === 'eol') && (
          <span
            style={{
              color: '#fff',
              background: color,
              borderRadius: 4,
              padding: '0 6px',
              fontSize: '0.75rem',
              fontWeight: 600,
              whiteSpace: 'nowrap',
            }}
          >
            {STATUS_LABELS[status]}
          </span>
        )}
      </span>
    </Tooltip>
  );
};
