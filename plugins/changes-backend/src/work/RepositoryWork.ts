import { Recipe } from '@fleetdeck/plugin-changes-common';
import { GitAuth, gitProtocolsFor, runGit } from '@fleetdeck/fleetdeck-node';
import { checkoutFromMirror, stageAndDiff } from '../git/checkout';
import { RepositoryAccess } from '../git/RepositoryAccess';
import { ReviewHost } from '../hosts';
import { applyRecipe } from '../recipes';
import { RepositoryPatch } from '../database/ChangeStore';

/** The trailer that marks a commit as made by a change (and so safe to reuse). */
export const CHANGE_TRAILER = 'Fleetdeck-Change';

/** The change as the per-repository work needs it. */
export interface ChangeToApply {
  id: string;
  title: string;
  description: string;
  branch: string;
  recipe: Recipe;
  trusted: boolean;
}

export interface Person {
  name: string;
  email: string;
}

/** What one piece of work did, written to the row when it ends. */
export type WorkResult = RepositoryPatch;

/**
 * Preview and apply of a change in one repository. Apply is idempotent: a
 * branch already pushed by this change (its commit carries the change's
 * trailer) is reused, and the host answers an existing pull request for it,
 * so a retry or a takeover after a crash never duplicates a branch, a commit
 * or a pull request.
 */
export class RepositoryWork {
  constructor(
    private readonly options: {
      access: RepositoryAccess;
      hostFor: (url: string) => ReviewHost;
      workDir: string;
      committer: Person;
      fileTimeoutMs?: number;
    },
  ) {}

  /** The exact diff the recipe makes on the default branch; nothing is pushed. */
  async preview(
    change: ChangeToApply,
    repoUrl: string,
    signal?: AbortSignal,
  ): Promise<WorkResult> {
    const mirror = await this.options.access.freshMirror(repoUrl);
    const checkout = await checkoutFromMirror(mirror, this.options.workDir);
    try {
      await applyRecipe(checkout.dir, change.recipe, {
        trusted: change.trusted,
        fileTimeoutMs: this.options.fileTimeoutMs,
        signal,
      });
      const { diff, files } = await stageAndDiff(checkout.dir);
      return {
        state: files.length ? 'previewed' : 'no_change',
        defaultBranch: checkout.defaultBranch,
        baseSha: checkout.baseSha,
        files,
        diff,
        error: null,
      };
    } finally {
      await checkout.dispose();
    }
  }

  /**
   * Branch, one commit authored by `author`, push, pull request. `onPushed`
   * is called once the branch is on the host, so the row records the commit
   * before the pull request is asked for.
   */
  async apply(
    change: ChangeToApply,
    repoUrl: string,
    author: Person,
    onPushed: (patch: WorkResult) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<WorkResult> {
    const { access } = this.options;
    const auth = access.auth(repoUrl);
    const mirror = await access.freshMirror(repoUrl);
    const checkout = await checkoutFromMirror(mirror, this.options.workDir);
    try {
      const base = {
        defaultBranch: checkout.defaultBranch,
        baseSha: checkout.baseSha,
      };
      const before = await this.pushedBefore(change, checkout.dir);
      // a branch this change pushed on the current base is reused as it is;
      // one on an older base (the default branch moved) is rebuilt on the new
      let commitSha =
        before?.parent === checkout.baseSha ? before.sha : undefined;
      let files: RepositoryPatch['files'];
      let diff: string | undefined;
      if (!commitSha) {
        await runGit(['checkout', '--quiet', '-B', change.branch], {
          cwd: checkout.dir,
        });
        await applyRecipe(checkout.dir, change.recipe, {
          trusted: change.trusted,
          fileTimeoutMs: this.options.fileTimeoutMs,
          signal,
        });
        ({ diff, files } = await stageAndDiff(checkout.dir));
        if (!files.length) {
          return { ...base, state: 'no_change', files, diff, error: null };
        }
        commitSha = await this.commit(change, checkout.dir, author);
        await this.push(change, checkout.dir, repoUrl, before?.sha, auth);
      }
      const pushed: WorkResult = {
        ...base,
        state: 'pushed',
        commitSha,
        ...(files ? { files, diff } : {}),
        error: null,
      };
      await onPushed(pushed);
      const pr = await this.options
        .hostFor(repoUrl)
        .openPullRequest(access.host(repoUrl), {
          base: checkout.defaultBranch,
          head: change.branch,
          title: change.title,
          body: change.description,
        });
      return {
        ...pushed,
        state: pr.number === undefined ? 'pushed' : 'pr_open',
        prUrl: pr.url,
        ...(pr.number !== undefined ? { prNumber: pr.number } : {}),
      };
    } finally {
      await checkout.dispose();
    }
  }

  /**
   * The commit of this change already on the host's branch (and its parent),
   * if a previous attempt pushed it; throws if the branch is someone else's.
   */
  private async pushedBefore(
    change: ChangeToApply,
    dir: string,
  ): Promise<{ sha: string; parent: string } | undefined> {
    // the checkout is a clone of a mirror fetched just now: the host's
    // branches are its remote-tracking refs (a push that raced in since is
    // caught by the push's lease)
    const ref = `refs/remotes/origin/${change.branch}`;
    let lines: string[];
    try {
      const { stdout } = await runGit(
        [
          'log',
          '-1',
          `--format=%H%n%P%n%(trailers:key=${CHANGE_TRAILER},valueonly)`,
          ref,
          '--',
        ],
        { cwd: dir },
      );
      lines = stdout.split('\n');
    } catch {
      return undefined; // no such branch
    }
    const [sha, parents, trailer] = lines.map(l => l.trim());
    if (trailer !== change.id) {
      throw new Error(
        `Branch ${change.branch} already exists on the host and was not pushed by this change; rename the change's branch or delete that branch`,
      );
    }
    return { sha, parent: parents.split(' ')[0] };
  }

  private async commit(change: ChangeToApply, dir: string, author: Person) {
    const paragraphs = [
      change.title,
      ...(change.description.trim() ? [change.description.trim()] : []),
      `${CHANGE_TRAILER}: ${change.id}`,
    ];
    await runGit(
      [
        'commit',
        '--quiet',
        '--no-verify',
        `--author=${personLine(author)}`,
        ...paragraphs.flatMap(p => ['-m', p]),
      ],
      { cwd: dir, author: this.options.committer },
    );
    const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: dir });
    return stdout.trim();
  }

  /**
   * Creates the branch on the host, or moves it from `expected` (this
   * change's previous commit); refuses to overwrite anything else that
   * appeared meanwhile.
   */
  private async push(
    change: ChangeToApply,
    dir: string,
    repoUrl: string,
    expected: string | undefined,
    auth?: GitAuth,
  ) {
    const ref = `refs/heads/${change.branch}`;
    await runGit(
      [
        'push',
        '--quiet',
        '--porcelain',
        `--force-with-lease=${ref}:${expected ?? ''}`,
        '--',
        repoUrl,
        `HEAD:${ref}`,
      ],
      {
        cwd: dir,
        auth,
        protocols: gitProtocolsFor(repoUrl),
        timeoutMs: 5 * 60_000,
      },
    );
  }
}

/** `Name <email>` for git, with nothing that could break the format. */
export function personLine(person: Person): string {
  const clean = (s: string) => s.replace(/[<>\n\r\0]/g, '').trim();
  return `${clean(person.name) || 'unknown'} <${clean(person.email)}>`;
}
