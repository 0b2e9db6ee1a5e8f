import { spawn } from 'child_process';
import { GrepMatch, GrepOutputParser, REV } from './GrepOutputParser';

/** What {@link gitGrep} searches for, and where. */
export interface GitGrepOptions {
  /** The bare repository (or `.git` directory) to search. */
  gitDir: string;
  /** Taken literally unless `regex`; never read as an option. */
  query: string;
  /** POSIX extended regular expression (`git grep -E`) instead of a fixed string. */
  regex: boolean;
  ignoreCase: boolean;
  /** Only files matching these globs, see {@link globPathspecs}. */
  files?: string[];
  /** Matches kept; past them the search stops and says `truncated`. */
  maxMatches: number;
  /** git is killed, and the search fails, after this long. */
  timeoutMs: number;
}

/** The matches of one {@link gitGrep}. */
export interface GrepResult {
  matches: GrepMatch[];
  /** More matches exist than `maxMatches`. */
  truncated: boolean;
}

/**
 * Git pathspecs for file globs. A glob without a slash matches a file name at
 * any depth (`Dockerfile`, `*.json`), one with a slash is relative to the
 * repository root (`/Dockerfile`, `services/api/Dockerfile`), as in `.gitignore`.
 */
export function globPathspecs(files: string[] = []): string[] {
  return files.flatMap(glob => {
    const anchored = glob.includes('/');
    const pattern = glob.replace(/^\/+/, '');
    if (!pattern) return [];
    return [`:(glob)${anchored ? pattern : `**/${pattern}`}`];
  });
}

/**
 * Runs `git grep` on the repository's HEAD (its default branch), without a
 * shell and with the query after `-e`, so nothing in a query or a glob is
 * read as an option. Binary files are skipped. Output is NUL-separated
 * (`-z`), so any character in a path is kept.
 */
export function gitGrep(options: GitGrepOptions): Promise<GrepResult> {
  const args = [
    `--git-dir=${options.gitDir}`,
    'grep',
    '-I',
    '-n',
    '--full-name',
    '-z',
    '--no-color',
    options.regex ? '-E' : '-F',
    ...(options.ignoreCase ? ['-i'] : []),
    '-e',
    options.query,
    REV,
    '--',
    ...globPathspecs(options.files),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const matches: GrepMatch[] = [];
    const parser = new GrepOutputParser();
    let truncated = false;
    let stopped = false;
    let stderr = '';
    const stop = () => {
      stopped = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(`git grep did not finish within ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      for (const match of parser.push(chunk)) {
        if (matches.length === options.maxMatches) {
          truncated = true;
          stop();
          return;
        }
        matches.push(match);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', e => {
      clearTimeout(timer);
      reject(new Error(`git grep could not run: ${e.message}`));
    });
    child.on('close', code => {
      clearTimeout(timer);
      // 1 is git grep's "no match"; our own stop is a deliberate end
      if (truncated || (!stopped && (code === 0 || code === 1))) {
        resolve({ matches, truncated });
      } else if (!stopped) {
        const why = stderr.trim().split('\n')[0] || `exit code ${code}`;
        reject(new Error(`git grep failed: ${why}`));
      }
    });
  });
}
