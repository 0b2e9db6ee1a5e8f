import { NotFoundError } from '@backstage/errors';
import { ChangedFile, DiffSummary } from '@fleetdeck/plugin-deployments-common';
import { GitCommandError, runGit } from '@fleetdeck/fleetdeck-node';

/** A commit as git log reports it, before enrichment. */
export interface RawCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  subject: string;
  /** Full message body (without subject), scanned for references. */
  body: string;
}

const FIELD = '\x1f';
const RECORD = '\x1e';
/**
 * Boundary mark (`-` for a boundary commit), SHA, parents, author, email,
 * author date, subject, body; unit- and record-separated.
 */
const LOG_FORMAT = `--format=${[
  '%m',
  '%H',
  '%P',
  '%an',
  '%ae',
  '%aI',
  '%s',
  '%b',
].join('%x1f')}%x1e`;

/**
 * The range primitives of the diff engine, run by git itself on a (bare)
 * repository: counts, commit lists and files changed.
 */
export class GitRange {
  constructor(private readonly gitDir: string) {}

  /** Throws NotFoundError naming every SHA that is not a commit here. */
  async assertCommits(shas: string[]): Promise<void> {
    const missing = await this.missingCommits(shas);
    if (missing.length > 0) {
      throw new NotFoundError(
        `Commit ${missing.join(', ')} not found in the repository`,
      );
    }
  }

  /** The SHAs that are not commits in this repository. */
  async missingCommits(shas: string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const sha of new Set(shas)) {
      try {
        await this.git(['cat-file', '-e', `${sha}^{commit}`]);
      } catch (e) {
        if (e instanceof GitCommandError) missing.push(sha);
        else throw e;
      }
    }
    return missing;
  }

  /** Ahead/behind counts and ancestry of head relative to base. */
  async summary(base: string, head: string): Promise<DiffSummary> {
    if (base === head) {
      await this.assertCommits([base]);
      return {
        base,
        head,
        status: 'identical',
        ahead: 0,
        behind: 0,
        mergeBase: base,
      };
    }
    let out: string;
    try {
      out = await this.git([
        'rev-list',
        '--left-right',
        '--count',
        `${base}...${head}`,
      ]);
    } catch (e) {
      await this.assertCommits([base, head]);
      throw e;
    }
    const [behind, ahead] = out.trim().split(/\s+/).map(Number);
    if (behind === 0) {
      return { base, head, status: 'ahead', ahead, behind, mergeBase: base };
    }
    if (ahead === 0) {
      return { base, head, status: 'behind', ahead, behind, mergeBase: head };
    }
    let mergeBase: string | undefined;
    try {
      mergeBase =
        (await this.git(['merge-base', base, head])).trim() || undefined;
    } catch {
      mergeBase = undefined; // unrelated histories
    }
    return { base, head, status: 'diverged', ahead, behind, mergeBase };
  }

  /**
   * The commits reachable from `to` but not from `from`, in `git log` order,
   * exactly as `git rev-list from..to` lists them.
   */
  async log(
    from: string,
    to: string,
    options: { skip?: number; maxCount?: number } = {},
  ): Promise<RawCommit[]> {
    const args = ['log', LOG_FORMAT];
    if (options.skip) args.push(`--skip=${options.skip}`);
    if (options.maxCount !== undefined)
      args.push(`--max-count=${options.maxCount}`);
    args.push(`${from}..${to}`, '--');
    return parseLog(await this.git(args)).commits;
  }

  /**
   * {@link GitRange.log} of `from..to` up to `maxCount` commits, and from the
   * same git process the boundary: the excluded commits that are parents of
   * listed ones. When the list is complete (shorter than `maxCount`), `from`
   * is in the boundary exactly when it is an ancestor of `to`; then the list
   * alone is the whole comparison (ahead = its length, behind = 0), with no
   * `rev-list --count` walk of the same range.
   */
  async logWithBoundary(
    from: string,
    to: string,
    options: { maxCount: number },
  ): Promise<{ commits: RawCommit[]; boundary: string[] }> {
    return parseLog(
      await this.git([
        'log',
        '--boundary',
        LOG_FORMAT,
        `--max-count=${options.maxCount}`,
        `${from}..${to}`,
        '--',
      ]),
    );
  }

  /** Files each commit changed against its first parent (none for merges). */
  async commitFiles(shas: string[]): Promise<Map<string, ChangedFile[]>> {
    const result = new Map<string, ChangedFile[]>();
    if (shas.length === 0) return result;
    const out = await this.git([
      'log',
      '--no-walk=unsorted',
      '--no-renames',
      '-z',
      '--numstat',
      '--format=%x1e%H',
      ...shas,
      '--',
    ]);
    for (const record of out.split(RECORD)) {
      if (!record) continue;
      const nl = record.indexOf('\n');
      const sha = (nl === -1 ? record : record.slice(0, nl))
        .replace(/\0/g, '')
        .trim();
      result.set(sha, nl === -1 ? [] : parseNumstatZ(record.slice(nl + 1)));
    }
    for (const sha of shas) if (!result.has(sha)) result.set(sha, []);
    return result;
  }

  /** Files changed between the merge base of base and head, and head. */
  async rangeFiles(base: string, head: string): Promise<ChangedFile[]> {
    const out = await this.git([
      'diff',
      '--no-renames',
      '-z',
      '--numstat',
      `${base}...${head}`,
      '--',
    ]);
    return parseNumstatZ(out);
  }

  private async git(args: string[]): Promise<string> {
    const { stdout } = await runGit(['-c', 'core.quotepath=off', ...args], {
      cwd: this.gitDir,
    });
    return stdout;
  }
}

/** Parses `git log` output in {@link LOG_FORMAT}: listed commits and boundary SHAs. */
function parseLog(out: string): { commits: RawCommit[]; boundary: string[] } {
  const commits: RawCommit[] = [];
  const boundary: string[] = [];
  for (const record of out.split(RECORD)) {
    // every record but the first starts with the newline that ended the last
    const text = record.charCodeAt(0) === 10 ? record.slice(1) : record;
    if (!text) continue;
    const [
      mark,
      sha,
      parents,
      authorName,
      authorEmail,
      authoredAt,
      subject,
      body,
    ] = text.split(FIELD);
    if (mark === '-') {
      boundary.push(sha);
      continue;
    }
    commits.push({
      sha,
      parents: parents ? parents.split(' ') : [],
      authorName,
      authorEmail,
      authoredAt,
      subject,
      body: (body ?? '').trim(),
    });
  }
  return { commits, boundary };
}

/** Parses `git --numstat -z --no-renames` output. */
export function parseNumstatZ(out: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const entry of out.split('\0')) {
    const line = entry.replace(/^\n+/, '');
    if (!line) continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(line);
    if (!m) continue;
    files.push({
      path: m[3],
      additions: m[1] === '-' ? undefined : Number(m[1]),
      deletions: m[2] === '-' ? undefined : Number(m[2]),
    });
  }
  return files;
}
