import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@fleetdeck.example',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@fleetdeck.example',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Runs git synchronously in tests and returns its trimmed output. */
export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}

/** Creates a bare repository, with an initial commit of `files` on main when given. */
export function bareRepo(path: string, files?: Record<string, string>) {
  mkdirSync(path, { recursive: true });
  git(['init', '--quiet', '--bare', '--initial-branch=main', path]);
  if (files) {
    const work = mkdtempSync(join(tmpdir(), 'fleetdeck-seed-'));
    git(['init', '--quiet', '--initial-branch=main', work]);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, file), content);
    }
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', 'seed'], work);
    git(['push', '--quiet', path, 'main'], work);
    rmSync(work, { recursive: true, force: true });
  }
  return path;
}

/** The content of `file` on `ref` of a bare repository, or undefined. */
export function show(repo: string, ref: string, file: string) {
  try {
    return execFileSync('git', ['--git-dir', repo, 'show', `${ref}:${file}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

/** The branches of a bare repository. */
export function branches(repo: string): string[] {
  const out = git([
    '--git-dir',
    repo,
    'for-each-ref',
    '--format=%(refname:short)',
    'refs/heads',
  ]);
  return out ? out.split('\n') : [];
}
