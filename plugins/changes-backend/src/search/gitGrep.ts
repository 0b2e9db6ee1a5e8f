import { spawn } from 'child_process';
import { GrepMatch, GrepOutputParser } from './GrepOutputParser';

/** What a search looks for, as git grep takes it. */
export interface GrepQuery {
  /** Taken literally unless `regex`; never read as an option. */
  query: string;
  /** POSIX extended regular expression (`git grep -E`) instead of a fixed string. */
  regex: boolean;
  ignoreCase: boolean;
  /** Only files matching these globs, see {@link globPathspecs}. */
  files?: string[];
}

/** One git grep process over the trees of some commits. */
export interface GitGrepOptions extends GrepQuery {
  /** The repository git runs in (a bare mirror or a `.git` directory). */
  gitDir: string;
  /**
   * Object directories git may also read (`GIT_ALTERNATE_OBJECT_DIRECTORIES`),
   * so that one process can search commits of many mirrors.
   */
  alternates?: string[];
  /** The commits (full SHAs) or `HEAD` whose trees are searched, in order. */
  revs: string[];
  /** git is killed, and the grep fails, after this long. */
  timeoutMs: number;
  /** Each match, in `revs` order; returning false ends the grep there. */
  onMatch(rev: string, match: GrepMatch): boolean;
}

/** How a {@link gitGrep} ended: it read everything, or `onMatch` stopped it. */
export type GitGrepEnd = 'finished' | 'stopped';

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
 * The value of `GIT_ALTERNATE_OBJECT_DIRECTORIES` for these directories:
 * colon-separated, a path holding a colon or starting with a quote written
 * C-style in double quotes, as git reads it.
 */
export function alternatesValue(dirs: string[]): string {
  return dirs
    .map(dir =>
      dir.includes(':') || dir.startsWith('"')
        ? `"${dir.replace(/[\\"]/g, c => `\\${c}`)}"`
        : dir,
    )
    .join(':');
}

/**
 * Runs one `git grep` over the trees of `revs`, without a shell and with the
 * query after `-e`, so nothing in a query or a glob is read as an option.
 * Binary files are skipped. Output is NUL-separated (`-z`), so any character
 * in a path is kept; git writes it in `revs` order, whatever its threads do.
 * Rejects when git fails or outlives `timeoutMs`.
 */
export function gitGrep(options: GitGrepOptions): Promise<GitGrepEnd> {
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
    ...options.revs,
    '--',
    ...globPathspecs(options.files),
  ];
  const alternates = options.alternates ?? [];
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        ...(alternates.length && {
          GIT_ALTERNATE_OBJECT_DIRECTORIES: alternatesValue(alternates),
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const parser = new GrepOutputParser();
    let ended = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined = undefined;
    const end = (fn: () => void) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      fn();
    };
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      end(() =>
        reject(
          new Error(`git grep did not finish within ${options.timeoutMs} ms`),
        ),
      );
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      if (ended) return;
      for (const { rev, match } of parser.push(chunk)) {
        if (!options.onMatch(rev, match)) {
          child.kill('SIGKILL');
          end(() => resolve('stopped'));
          return;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', e => {
      end(() => reject(new Error(`git grep could not run: ${e.message}`)));
    });
    child.on('close', code => {
      // 1 is git grep's "no match"
      if (code === 0 || code === 1) {
        end(() => resolve('finished'));
      } else {
        const why = stderr.trim().split('\n')[0] || `exit code ${code}`;
        end(() => reject(new Error(`git grep failed: ${why}`)));
      }
    });
  });
}
