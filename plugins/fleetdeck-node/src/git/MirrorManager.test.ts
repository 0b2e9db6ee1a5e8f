import { mockServices } from '@backstage/backend-test-utils';
import { gitSync } from '@fleetdeck/backend-test-utils';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MirrorManager } from './MirrorManager';
import { Repository, RepositoryResolver } from './RepositoryResolver';

const root = mkdtempSync(join(tmpdir(), 'fleetdeck-node-mirrors-'));
const resolver = new RepositoryResolver({
  allowedHosts: [],
  allowedRoots: [root],
});

const git = gitSync;

/** A repository with one commit on `branch`; its directory and repository. */
function origin(name: string, branch = 'main') {
  const dir = mkdtempSync(join(root, `${name}-`));
  git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
  const commit = (file: string) => {
    writeFileSync(join(dir, file), `${file}\n`);
    git(dir, 'add', file);
    git(dir, 'commit', '--quiet', '-m', file);
    return git(dir, 'rev-parse', 'HEAD');
  };
  commit('README.md');
  return { dir, commit, repo: resolver.resolveValue(dir) };
}

const headOf = (mirrors: MirrorManager, repo: Repository, ref: string) =>
  git(mirrors.dir(repo), 'rev-parse', ref);

describe('MirrorManager', () => {
  const mirrors = new MirrorManager({
    cacheDir: join(root, 'cache'),
    logger: mockServices.logger.mock(),
  });

  it('clones a missing mirror once, even when asked twice at once', async () => {
    const { repo } = origin('twice', 'trunk');
    expect(mirrors.exists(repo)).toBe(false);
    await Promise.all([mirrors.ensure(repo), mirrors.ensure(repo)]);
    expect(mirrors.exists(repo)).toBe(true);
    expect(git(mirrors.dir(repo), 'rev-parse', '--is-bare-repository')).toBe(
      'true',
    );
    expect(await mirrors.defaultBranch(repo)).toBe('trunk');
  });

  it('fetches only for commits it lacks, and returns those still missing', async () => {
    const { repo, commit } = origin('shas');
    await mirrors.ensure(repo);
    const next = commit('next.txt');
    const unknown = 'f'.repeat(40);
    expect(await mirrors.ensure(repo, [next, unknown])).toEqual([unknown]);
    expect(headOf(mirrors, repo, 'main')).toBe(next);
  });

  it('refresh picks up new commits and prunes deleted branches', async () => {
    const { dir, repo, commit } = origin('refresh');
    git(dir, 'branch', 'old');
    await mirrors.refresh(repo);
    expect(headOf(mirrors, repo, 'old')).toBeTruthy();

    const next = commit('next.txt');
    git(dir, 'branch', '-D', 'old');
    expect(headOf(mirrors, repo, 'main')).not.toBe(next);
    await Promise.all([mirrors.refresh(repo), mirrors.refresh(repo)]);
    expect(headOf(mirrors, repo, 'main')).toBe(next);
    expect(() => headOf(mirrors, repo, 'refs/heads/old')).toThrow();
  });

  it('reads the head commit from packed and loose refs, as git resolves it', async () => {
    const { repo, commit } = origin('head', 'develop');
    await mirrors.refresh(repo);
    // a fresh mirror clone keeps its refs in packed-refs
    expect(await mirrors.head(repo)).toEqual({
      branch: 'develop',
      commit: headOf(mirrors, repo, 'HEAD'),
    });
    const next = commit('next.txt');
    await mirrors.refresh(repo); // a fetch writes a loose ref over the packed one
    expect(await mirrors.head(repo)).toEqual({
      branch: 'develop',
      commit: next,
    });
    git(mirrors.dir(repo), 'pack-refs', '--all');
    expect((await mirrors.head(repo)).commit).toBe(next);
    // a detached HEAD is asked of git, which says it is not on a branch
    git(mirrors.dir(repo), 'update-ref', '--no-deref', 'HEAD', next);
    await expect(mirrors.head(repo)).rejects.toThrow(/not a symbolic ref/);
  });

  it('leaves no mirror behind when the clone fails', async () => {
    const { dir, repo } = origin('gone');
    rmSync(dir, { recursive: true, force: true });
    await expect(mirrors.refresh(repo)).rejects.toThrow(/git clone/);
    expect(mirrors.exists(repo)).toBe(false);
  });
});
