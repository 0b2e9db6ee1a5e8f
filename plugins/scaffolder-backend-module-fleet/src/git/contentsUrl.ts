/**
 * URLs of files inside a git repository on a plain git server, in GitLab's
 * layout: `<remote>/-/blob/<branch>/<path>` for a file and
 * `<remote>/-/tree/<branch>/` for the repository's contents. The catalog
 * reads them through {@link GitUrlReader}; the remote is everything before
 * `/-/`. Branch names with a `/` are not supported.
 */
export function gitBlobUrl(remoteUrl: string, branch: string, path: string) {
  return `${remoteUrl}/-/blob/${branch}/${path.replace(/^\/+/, '')}`;
}

/** See {@link gitBlobUrl}. */
export function gitTreeUrl(remoteUrl: string, branch: string) {
  return `${remoteUrl}/-/tree/${branch}/`;
}

/** Splits a URL made by {@link gitBlobUrl} or {@link gitTreeUrl}. */
export function parseGitContentsUrl(
  url: string,
): { remoteUrl: string; ref: string; path: string } | undefined {
  const match = url.match(/^(.+?)\/-\/(?:blob|tree)\/([^/]+)\/?(.*)$/);
  if (!match) return undefined;
  const path = decodeURIComponent(match[3]).replace(/\/+$/, '');
  if (path.split('/').includes('..')) return undefined;
  return { remoteUrl: match[1], ref: decodeURIComponent(match[2]), path };
}
