import { Repository } from '@fleetdeck/fleetdeck-node';

/**
 * The line on the host's web UI: GitHub's `/blob/<branch>/<path>#L<n>`,
 * GitLab's `/-/blob/…`; undefined for hosts whose layout is not known.
 */
export function lineUrl(
  repo: Repository,
  branch: string,
  path: string,
  line: number,
): string | undefined {
  if (!repo.webUrl || !(repo.github || repo.gitlab)) return undefined;
  const encode = (value: string) =>
    value.split('/').map(encodeURIComponent).join('/');
  const blob = repo.gitlab ? '/-/blob' : '/blob';
  return `${repo.webUrl}${blob}/${encode(branch)}/${encode(path)}#L${line}`;
}
