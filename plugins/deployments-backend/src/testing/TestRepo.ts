import { execFileSync } from 'child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

/**
 * A real git repository for tests, built commit by commit with fixed dates so
 * that the history (and `git log` order) is deterministic.
 */
export class TestRepo {
  readonly dir: string;
  private tick = 0;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'fleetdeck-repo-'));
    mkdirSync(this.dir, { recursive: true });
    this.git('init', '--quiet', '--initial-branch=main');
  }

  git(...args: string[]): string {
    const date = new Date(
      Date.UTC(2026, 0, 1) + this.tick * 60_000,
    ).toISOString();
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada Lovelace',
        GIT_AUTHOR_EMAIL: 'ada@fleetdeck.example',
        GIT_COMMITTER_NAME: 'Ada Lovelace',
        GIT_COMMITTER_EMAIL: 'ada@fleetdeck.example',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  /** Commits a change to `file` and returns the new SHA. */
  commit(message: string, file = 'README.md', content?: string): string {
    this.tick++;
    const path = join(this.dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content ?? `${message}\n${this.tick}\n`);
    this.git('add', '--', file);
    this.git('commit', '--quiet', '-m', message);
    return this.head();
  }

  /** Merges `branch` into the current branch with a merge commit. */
  merge(branch: string, message: string): string {
    this.tick++;
    this.git('merge', '--quiet', '--no-ff', '-m', message, branch);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }

  /** `git rev-list a..b`, the oracle the diff engine must agree with. */
  revList(range: string): string[] {
    const out = this.git('rev-list', range);
    return out ? out.split('\n') : [];
  }
}

/**
 * Appends `count` linear commits to `branch` with git fast-import (seconds for
 * tens of thousands) and returns their SHAs, oldest first.
 */
export function appendLinearCommits(
  repo: TestRepo,
  count: number,
  branch = 'main',
): string[] {
  const parent = (() => {
    try {
      return repo.git('rev-parse', '--verify', '--quiet', branch);
    } catch {
      return '';
    }
  })();
  const lines: string[] = [];
  const start = Date.UTC(2025, 0, 1) / 1000;
  for (let i = 0; i < count; i++) {
    const msg = `Change ${i} (#${1000 + i})\n\nRefs PAY-${i}\n`;
    const content = `line ${i}\n`;
    lines.push(
      `commit refs/heads/${branch}`,
      `mark :${i + 1}`,
      `author Dev ${i % 7} <dev${i % 7}@fleetdeck.example> ${
        start + i * 60
      } +0000`,
      `committer Dev ${i % 7} <dev${i % 7}@fleetdeck.example> ${
        start + i * 60
      } +0000`,
      `data ${Buffer.byteLength(msg)}`,
      msg,
    );
    if (i === 0 && parent) lines.push(`from ${parent}`);
    lines.push(
      `M 100644 inline file-${i % 50}.txt`,
      `data ${Buffer.byteLength(content)}`,
      content,
      '',
    );
  }
  execFileSync('git', ['fast-import', '--quiet', '--export-marks=marks.tmp'], {
    cwd: repo.dir,
    input: `${lines.join('\n')}\n`,
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = repo.git('rev-list', '--reverse', `--max-count=${count}`, branch);
  return out.split('\n');
}
