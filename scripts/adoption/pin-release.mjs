#!/usr/bin/env node
// Pins a freshly generated Backstage app's @backstage/* dependencies to the
// release create-app generated it for, as the lockfile of an app generated
// in that release's time would have them:
//
//   node scripts/adoption/pin-release.mjs <app> <repo>
//
// create-app writes caret ranges and no lockfile, so an install after the
// next Backstage release takes that release's patches too; one of them
// (plugin-signals-backend 0.3.21 calling httpRouter methods that only the
// next release's backend-defaults has) then breaks the stock app's start.
// Each @backstage/* dependency of the root, packages/app and
// packages/backend becomes, written exactly and as an npm override (so that
// the packages depending on it get the same one):
//   - the version in <repo>'s package-lock.json, which is on the same
//     release (backstage.json) and what Fleetdeck is tested with;
//   - for packages <repo> does not use: the newest version in the range
//     published before the next release, i.e. before the first
//     @backstage/backend-defaults newer than <repo>'s (every Backstage
//     release bumps it).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const semver = require('semver');

const [app, repo] = process.argv.slice(2);
if (!app || !repo) {
  console.error('usage: pin-release.mjs <app> <repo>');
  process.exit(2);
}

/** Every published version of a package with its publish time. */
const publishTimes = name =>
  JSON.parse(
    execFileSync('npm', ['view', name, 'time', '--json'], { encoding: 'utf8' }),
  );

const lock = JSON.parse(
  readFileSync(join(repo, 'package-lock.json'), 'utf8'),
).packages;
const locked = name => lock[`node_modules/${name}`]?.version;
const ours = locked('@backstage/backend-defaults');
const cutoff = Math.min(
  ...Object.entries(publishTimes('@backstage/backend-defaults'))
    .filter(
      ([v]) => semver.valid(v) && !semver.prerelease(v) && semver.gt(v, ours),
    )
    .map(([, t]) => Date.parse(t)),
);

const files = [
  'package.json',
  'packages/app/package.json',
  'packages/backend/package.json',
];
const manifests = files.map(f => [
  f,
  JSON.parse(readFileSync(join(app, f), 'utf8')),
]);

/** name -> the newest version in `range` published before the cutoff */
const pinned = new Map();
function pin(name, range) {
  const own = locked(name);
  if (own && semver.satisfies(own, range)) return own;
  const candidates = Object.entries(publishTimes(name))
    .filter(([v, t]) => semver.valid(v) && Date.parse(t) < cutoff)
    .map(([v]) => v)
    .filter(v => semver.satisfies(v, range));
  const best = semver.maxSatisfying(candidates, range);
  if (!best) {
    throw new Error(
      `${name}: no version in ${range} published before ${new Date(
        cutoff,
      ).toISOString()}`,
    );
  }
  return best;
}

for (const [, pkg] of manifests) {
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!name.startsWith('@backstage/')) continue;
      if (!pinned.has(name)) pinned.set(name, pin(name, range));
      pkg[field][name] = pinned.get(name);
    }
  }
}
const root = manifests[0][1];
root.overrides = { ...root.overrides };
for (const [name, version] of pinned) root.overrides[name] = version;
for (const [file, pkg] of manifests) {
  writeFileSync(join(app, file), `${JSON.stringify(pkg, null, 2)}\n`);
}
console.error(
  `pinned ${
    pinned.size
  } @backstage packages to the release of backend-defaults ${ours} (next one from ${new Date(
    cutoff,
  ).toISOString()})`,
);
