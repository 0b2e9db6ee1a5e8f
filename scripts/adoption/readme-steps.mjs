#!/usr/bin/env node
// Reads the "## Install" section of every Fleetdeck plugin README and applies
// it to a stock Backstage app the way a person following it would:
//
//   node scripts/adoption/readme-steps.mjs commands <repo> <tarball-list.tsv>
//     prints the README's `npm install ...` lines, one per line
//   node scripts/adoption/readme-steps.mjs installed <repo> <tarball-list.tsv>
//     prints the rows of the list an app following the READMEs ends up with
//     (every package but the skipped ones)
//   node scripts/adoption/readme-steps.mjs backend <repo> <tarball-list.tsv> <app>
//     adds the README's TypeScript lines to packages/backend/src/index.ts:
//     `import` lines at the top, `backend.add(...)` lines before
//     `backend.start()`, and removes the lines a README says to remove
//
// Only plugins and modules are installed; libraries (common, node, react)
// arrive as their dependencies. The demo sign-in provider is left out: its
// README says it is never for production.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [mode, repo, list, app] = process.argv.slice(2);
const ROLES = ['backend-plugin', 'backend-plugin-module', 'frontend-plugin'];
const SKIP = new Set(['@fleetdeck/plugin-auth-backend-module-demo-provider']);

const all = readFileSync(list, 'utf8')
  .trim()
  .split('\n')
  .map(l => l.split('\t'));
if (mode === 'installed') {
  for (const row of all) if (!SKIP.has(row[0])) console.log(row.join('\t'));
  process.exit(0);
}
const rows = all.filter(
  ([name, , role]) => ROLES.includes(role) && !SKIP.has(name),
);

/** The fenced blocks of one language in the README's Install section. */
function installBlocks(readme, lang) {
  const install = readme.split(/^## Install\s*$/m)[1]?.split(/^## /m)[0];
  if (!install) return undefined;
  const blocks = [];
  const fence = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm');
  for (const m of install.matchAll(fence)) blocks.push(m[1]);
  return blocks;
}

const problems = [];
const commands = [];
const imports = [];
const adds = [];
for (const [name, dir] of rows) {
  const readme = readFileSync(join(repo, dir, 'README.md'), 'utf8');
  const sh = installBlocks(readme, 'sh');
  if (!sh?.length) {
    problems.push(`${name}: no sh block in its README's Install section`);
    continue;
  }
  for (const line of sh[0].split('\n').filter(Boolean)) {
    if (!line.startsWith('npm install ') || !line.includes(name)) {
      problems.push(`${name}: unexpected install line: ${line}`);
    }
    commands.push(line);
  }
  for (const block of installBlocks(readme, 'ts') ?? []) {
    for (const line of block.split('\n').filter(Boolean)) {
      if (line.startsWith('import ')) imports.push(line);
      else if (line.startsWith('backend.add(')) adds.push(line);
      else problems.push(`${name}: unexpected TypeScript line: ${line}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

if (mode === 'commands') {
  console.log(commands.join('\n'));
} else if (mode === 'backend') {
  const file = join(app, 'packages/backend/src/index.ts');
  let source = readFileSync(file, 'utf8');
  // the stock backend as create-app wrote it, for the benchmark that compares
  // the app with Fleetdeck against the app without (bench/workloads/adoption-rss.mjs)
  writeFileSync(`${file}.stock`, source);
  // permission-backend-module-fleetdeck's README: "remove that line (and any
  // other policy module), or the backend fails to start"
  const allowAll =
    /^backend\.add\(\s*import\('@backstage\/plugin-permission-backend-module-allow-all-policy'\),?\s*\);\n/m;
  if (!allowAll.test(source)) {
    console.error(`no allow-all policy line to remove in ${file}`);
    process.exit(1);
  }
  source = source.replace(allowAll, '');
  if (!source.includes('backend.start();')) {
    console.error(`no backend.start() in ${file}`);
    process.exit(1);
  }
  source = source.replace(
    /^(import .*\n)(?!import )/m,
    `$1${imports.join('\n')}\n`,
  );
  source = source.replace(
    'backend.start();',
    `// Fleetdeck, one line per plugin or module as its README says\n${adds.join(
      '\n',
    )}\n\nbackend.start();`,
  );
  writeFileSync(file, source);
  console.error(
    `added ${imports.length} imports and ${adds.length} backend.add lines to ${file}`,
  );
} else {
  console.error('usage: readme-steps.mjs commands|backend <repo> <list> [app]');
  process.exit(2);
}
