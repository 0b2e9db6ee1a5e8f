import {
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  ReaderFactory,
  ReadTreeResponseFactory,
} from '@backstage/backend-defaults/urlReader';
import { InputError, NotFoundError, NotModifiedError } from '@backstage/errors';
import { runGit } from '@fleetdeck/fleetdeck-node';
import { spawn } from 'child_process';
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { parseGitContentsUrl } from '../git/contentsUrl';
import { describeGitError } from '../git/describeGitError';
import { GitServers } from '../git/GitServers';

/**
 * Reads files from repositories on the plain git servers of
 * `fleetdeck.git.servers`, addressed as `<remote>/-/blob/<branch>/<path>`
 * (see `gitBlobUrl`), so that the catalog can register and refresh the
 * `catalog-info.yaml` of services published there by `publish:git`. The
 * ETag is the branch's commit: an unchanged branch costs one `ls-remote`.
 *
 * @public
 */
export class GitUrlReader implements UrlReaderService {
  /** Registers the reader for URLs under the configured servers. */
  static factory: ReaderFactory = ({ config, treeResponseFactory }) => {
    const servers = GitServers.fromConfig(config);
    const reader = new GitUrlReader(servers, treeResponseFactory);
    return [
      {
        reader,
        predicate: (url: URL) =>
          parseGitContentsUrl(url.toString()) !== undefined &&
          servers.byUrl(url.toString()) !== undefined,
      },
    ];
  };

  constructor(
    private readonly servers: GitServers,
    private readonly treeResponseFactory: ReadTreeResponseFactory,
  ) {}

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const { path } = this.parse(url);
    if (!path) throw new InputError(`${url} does not name a file`);
    return this.withCommit(url, options?.etag, async (dir, sha) => {
      const content = await runGit(['show', `${sha}:${path}`], {
        cwd: dir,
      }).catch(() => {
        throw new NotFoundError(`${url} does not exist`);
      });
      const buffer = Buffer.from(content.stdout, 'utf8');
      return {
        buffer: async () => buffer,
        stream: () => Readable.from(buffer),
        etag: sha,
      };
    });
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const { path } = this.parse(url);
    return this.withCommit(url, options?.etag, async (dir, sha) => {
      const archive = await gitArchive(dir, sha);
      return this.treeResponseFactory.fromTarArchive({
        stream: Readable.from(archive),
        subpath: path || undefined,
        etag: sha,
        filter: options?.filter,
      });
    });
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    const { path } = this.parse(url);
    if (/[*?[{]/.test(path)) {
      throw new InputError(`Glob patterns are not supported for ${url}`);
    }
    try {
      const file = await this.readUrl(url, options);
      return {
        etag: file.etag ?? '',
        files: [{ url, content: () => file.buffer() }],
      };
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        return { etag: '', files: [] };
      }
      throw error;
    }
  }

  toString() {
    return `fleetdeck-git{servers=${this.servers
      .list()
      .map(s => s.name)
      .join(',')}}`;
  }

  private parse(url: string) {
    const parsed = parseGitContentsUrl(url);
    if (!parsed) throw new InputError(`${url} is not a git contents URL`);
    this.servers.resolve({ remoteUrl: parsed.remoteUrl });
    return parsed;
  }

  /** Fetches the branch's commit (shallow) unless it still has the given ETag. */
  private async withCommit<T>(
    url: string,
    etag: string | undefined,
    read: (dir: string, sha: string) => Promise<T>,
  ): Promise<T> {
    const { remoteUrl, ref } = this.parse(url);
    const { server } = this.servers.resolve({ remoteUrl });
    const { auth, protocols } = server;
    const heads = await runGit(['ls-remote', remoteUrl, `refs/heads/${ref}`], {
      auth,
      protocols,
      timeoutMs: 30_000,
    }).catch(e => {
      throw describeGitError(e, remoteUrl);
    });
    const sha = heads.stdout.split(/\s/)[0];
    if (!sha) throw new NotFoundError(`${remoteUrl} has no branch ${ref}`);
    if (etag && etag === sha) throw new NotModifiedError();
    const dir = await mkdtemp(join(tmpdir(), 'fleetdeck-git-read-'));
    try {
      await runGit(['init', '--bare', '--quiet'], { cwd: dir });
      await runGit(
        ['fetch', '--quiet', '--depth=1', remoteUrl, `refs/heads/${ref}`],
        { cwd: dir, auth, protocols, timeoutMs: 60_000 },
      ).catch(e => {
        throw describeGitError(e, remoteUrl);
      });
      const fetched = (
        await runGit(['rev-parse', 'FETCH_HEAD'], { cwd: dir })
      ).stdout.trim();
      return await read(dir, fetched);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function gitArchive(dir: string, sha: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'git',
      ['archive', '--format=tar', '--prefix=root/', sha],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', c => chunks.push(c));
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve(Buffer.concat(chunks))
        : reject(new Error(`git archive exited with ${code}`)),
    );
  });
}
