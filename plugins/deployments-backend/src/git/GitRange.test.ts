import { NotFoundError } from '@backstage/errors';
import { GitRange } from './GitRange';
import { TestRepo } from '../testing/TestRepo';

describe('GitRange against git itself', () => {
  // main: c1 - c2 - c3 ------- m1 - c6
  //                 \         /
  // feature:         c4 - c5
  const repo = new TestRepo();
  const c1 = repo.commit('Initial commit');
  const c2 = repo.commit(
    'Add payment orders (#11)\n\nRefs PAY-140',
    'src/orders.ts',
  );
  repo.git('checkout', '--quiet', '-b', 'feature');
  const c4 = repo.commit('PAY-141 validate IBANs', 'src/iban.ts');
  const c5 = repo.commit('PAY-141 reject unknown BICs', 'src/iban.ts');
  repo.git('checkout', '--quiet', 'main');
  const c3 = repo.commit('Bump dependencies (#12)', 'package.json');
  const m1 = repo.merge(
    'feature',
    'Merge pull request #13 from fleetdeck/feature',
  );
  const c6 = repo.commit('Release 1.4.0', 'CHANGELOG.md');
  const range = new GitRange(`${repo.dir}/.git`);

  it.each([
    ['a linear range', c1, c3],
    ['a range across a merge', c2, c6],
    ['the whole history minus the root', c1, c6],
    ['a branch-only range', c3, c5],
  ])('lists exactly what git rev-list lists for %s', async (_, a, b) => {
    const commits = await range.log(a, b);
    expect(commits.map(c => c.sha)).toEqual(repo.revList(`${a}..${b}`));
    const summary = await range.summary(a, b);
    expect(summary.ahead).toBe(repo.revList(`${a}..${b}`).length);
    expect(summary.behind).toBe(repo.revList(`${b}..${a}`).length);
  });

  it('reports authors, dates, subjects and merges as git log does', async () => {
    const commits = await range.log(c2, c6);
    const oracle = repo
      .git('log', '--format=%H|%an|%ae|%aI|%s|%P', `${c2}..${c6}`)
      .split('\n')
      .map(l => l.split('|'));
    expect(
      commits.map(c => [
        c.sha,
        c.authorName,
        c.authorEmail,
        c.authoredAt,
        c.subject,
        c.parents.join(' '),
      ]),
    ).toEqual(oracle);
    expect(commits.find(c => c.sha === m1)!.parents).toEqual([c3, c5]);
    expect(commits.find(c => c.sha === c4)!.parents).toEqual([c2]);
  });

  it('lists with the boundary, which holds the base exactly when it is an ancestor of the head', async () => {
    const all = [c1, c2, c3, c4, c5, m1, c6];
    for (const a of all) {
      for (const b of all) {
        const { commits, boundary } = await range.logWithBoundary(a, b, {
          maxCount: 100,
        });
        expect(commits.map(c => c.sha)).toEqual(repo.revList(`${a}..${b}`));
        expect(await range.log(a, b)).toEqual(commits);
        const ancestor = a !== b && repo.git('merge-base', a, b) === a;
        expect(boundary.includes(a)).toBe(ancestor);
      }
    }
    // c3..c6 also stops at c2, where the feature branch forked
    const merged = await range.logWithBoundary(c3, c6, { maxCount: 100 });
    expect(merged.boundary.sort()).toEqual([c2, c3].sort());
    // cut short, the list is git's first commits (the caller then counts)
    const cut = await range.logWithBoundary(c1, c6, { maxCount: 2 });
    expect(cut.commits.map(c => c.sha)).toEqual(
      repo.revList(`${c1}..${c6}`).slice(0, 2),
    );
  });

  it('pages a range with skip and max-count', async () => {
    const all = repo.revList(`${c1}..${c6}`);
    const page = await range.log(c1, c6, { skip: 2, maxCount: 3 });
    expect(page.map(c => c.sha)).toEqual(all.slice(2, 5));
  });

  it('reports a rollback (head older than base) as behind, not as an error', async () => {
    const summary = await range.summary(c6, c3);
    expect(summary).toMatchObject({
      status: 'behind',
      ahead: 0,
      behind: repo.revList(`${c3}..${c6}`).length,
    });
    expect(await range.log(c6, c3)).toEqual([]);
    expect((await range.log(c3, c6)).map(c => c.sha)).toEqual(
      repo.revList(`${c3}..${c6}`),
    );
  });

  it('reports a force-pushed (rewritten) head as diverged with its merge base', async () => {
    const forked = new TestRepo();
    const f1 = forked.commit('Initial commit');
    forked.commit('CARD-7 tokenise PANs', 'src/token.ts');
    const old = forked.commit('CARD-8 rotate keys', 'src/keys.ts');
    forked.git('reset', '--quiet', '--hard', f1);
    forked.commit('CARD-7 tokenise PANs (rewritten)', 'src/token.ts');
    const rewritten = forked.commit('CARD-9 rotate keys daily', 'src/keys.ts');
    const r = new GitRange(`${forked.dir}/.git`);
    const summary = await r.summary(old, rewritten);
    expect(summary).toEqual({
      base: old,
      head: rewritten,
      status: 'diverged',
      ahead: forked.revList(`${old}..${rewritten}`).length,
      behind: forked.revList(`${rewritten}..${old}`).length,
      mergeBase: f1,
    });
    expect((await r.log(old, rewritten)).map(c => c.sha)).toEqual(
      forked.revList(`${old}..${rewritten}`),
    );
  });

  it('says identical for the same commit', async () => {
    expect(await range.summary(c3, c3)).toMatchObject({
      status: 'identical',
      ahead: 0,
      behind: 0,
    });
  });

  it('throws NotFoundError naming a SHA the repository lacks', async () => {
    const ghost = 'f'.repeat(40);
    await expect(range.summary(c1, ghost)).rejects.toThrow(NotFoundError);
    await expect(range.summary(c1, ghost)).rejects.toThrow(ghost);
  });

  it('reports files changed per commit and over a range, as numstat does', async () => {
    const files = await range.commitFiles([c2, m1, c4]);
    const numstat = (sha: string) =>
      repo
        .git('show', '--numstat', '--format=', sha)
        .split('\n')
        .filter(Boolean)
        .map(l => l.split('\t'))
        .map(([a, d, path]) => ({
          path,
          additions: Number(a),
          deletions: Number(d),
        }));
    expect(files.get(c2)).toEqual(numstat(c2));
    expect(files.get(c4)).toEqual(numstat(c4));
    expect(files.get(c2)).toEqual([
      { path: 'src/orders.ts', additions: 4, deletions: 0 },
    ]);
    expect(files.get(m1)).toEqual([]);
    const rangeFiles = await range.rangeFiles(c2, c6);
    const oracle = repo
      .git('diff', '--numstat', '--no-renames', `${c2}...${c6}`)
      .split('\n')
      .map(l => l.split('\t'))
      .map(([a, d, path]) => ({
        path,
        additions: Number(a),
        deletions: Number(d),
      }));
    expect(rangeFiles).toEqual(oracle);
  });
});
