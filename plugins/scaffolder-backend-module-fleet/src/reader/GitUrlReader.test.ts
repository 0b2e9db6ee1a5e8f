import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { NotModifiedError } from '@backstage/errors';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { configWith } from '../__testUtils__/actionContext';
import { bareRepo, git } from '../__testUtils__/git';
import { GitUrlReader } from './GitUrlReader';

jest.setTimeout(30_000);

describe('GitUrlReader', () => {
  let base: string;
  let repo: string;
  let reader: ReturnType<typeof UrlReaders.create>;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'fleetdeck-reader-'));
    repo = bareRepo(join(base, 'git', 'payments-gateway.git'), {
      'catalog-info.yaml': 'kind: Component\n',
      'docs/index.md': '# Docs\n',
    });
    reader = UrlReaders.create({
      config: configWith({
        servers: [{ name: 'demo', baseUrl: join(base, 'git') }],
      }),
      logger: mockServices.logger.mock(),
      factories: [GitUrlReader.factory],
    });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const url = (path: string) => `file://${repo}/-/blob/main/${path}`;

  it('reads a file on a branch, with the commit as ETag', async () => {
    const res = await reader.readUrl(url('catalog-info.yaml'));
    expect((await res.buffer()).toString()).toBe('kind: Component\n');
    expect(res.etag).toBe(git(['--git-dir', repo, 'rev-parse', 'main']));
    await expect(
      reader.readUrl(url('catalog-info.yaml'), { etag: res.etag }),
    ).rejects.toThrow(NotModifiedError);
  });

  it('reads a tree', async () => {
    const tree = await reader.readTree(`file://${repo}/-/tree/main/`);
    const files = await tree.files();
    expect(files.map(f => f.path).sort()).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
    ]);
  });

  it('says which file is missing', async () => {
    await expect(reader.readUrl(url('nope.yaml'))).rejects.toThrow(
      /nope\.yaml does not exist/,
    );
  });

  it('reads nothing outside the configured servers', async () => {
    const outside = bareRepo(join(base, 'private.git'), { 'secret.txt': 'x' });
    await expect(
      reader.readUrl(`file://${outside}/-/blob/main/secret.txt`),
    ).rejects.toThrow();
    await expect(
      reader.readUrl(url('../../../private.git/secret.txt')),
    ).rejects.toThrow();
  });
});
