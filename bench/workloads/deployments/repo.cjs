// Shared by the deployments benchmarks.
const { execFileSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');

/**
 * Makes a git repository of `count` commits with git fast-import: a main line
 * where every 50th commit merges a two-commit topic branch, messages with PR
 * numbers and ticket keys, seven authors. Returns the main line's SHAs, oldest first.
 */
function makeRepo(dir, count) {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', dir]);
  const lines = [];
  const start = Date.UTC(2024, 0, 1) / 1000;
  let mark = 0;
  let made = 0;
  const commit = (branch, from, msg, file, merge) => {
    mark++;
    made++;
    const who = `Dev ${made % 7} <dev${made % 7}@fleetdeck.example> ${
      start + made * 60
    } +0000`;
    const content = `change ${made}\n`;
    lines.push(
      `commit refs/heads/${branch}`,
      `mark :${mark}`,
      `author ${who}`,
      `committer ${who}`,
      `data ${Buffer.byteLength(msg)}`,
      msg,
    );
    if (from) lines.push(`from :${from}`);
    if (merge) lines.push(`merge :${merge}`);
    lines.push(
      `M 100644 inline ${file}`,
      `data ${Buffer.byteLength(content)}`,
      content,
      '',
    );
    return mark;
  };
  let main = 0;
  const mainMarks = [];
  while (made < count) {
    const n = made;
    if (n % 50 === 49 && count - made >= 3) {
      const t1 = commit(
        `topic/${n}`,
        main,
        `PAY-${n} topic work\n`,
        `topic/${n % 20}.txt`,
      );
      const t2 = commit(
        `topic/${n}`,
        t1,
        `PAY-${n} topic tests\n`,
        `topic/${n % 20}.test`,
      );
      main = commit(
        'main',
        main,
        `Merge pull request #${n} from fleetdeck-bank/topic-${n}\n`,
        `merges.txt`,
        t2,
      );
    } else {
      main = commit(
        'main',
        main || undefined,
        `PAY-${n} change ${n} (#${n})\n`,
        `src/file-${n % 200}.ts`,
      );
    }
    mainMarks.push(main);
  }
  execFileSync(
    'git',
    ['fast-import', '--quiet', '--export-marks=.git/bench-marks'],
    {
      cwd: dir,
      input: `${lines.join('\n')}\n`,
      maxBuffer: 1 << 30,
    },
  );
  const marks = new Map(
    execFileSync('cat', ['.git/bench-marks'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    })
      .trim()
      .split('\n')
      .map(l => l.split(' '))
      .map(([m, sha]) => [Number(m.slice(1)), sha]),
  );
  return mainMarks.map(m => marks.get(m));
}

module.exports = { makeRepo };
