#!/usr/bin/env node
// Runs Fleetdeck's benchmarks. Each workload in bench/workloads/*.mjs exports
//   export const name = '...';
//   export async function run({ log }) { return [{ figure, value, baseline, unit, goal, better }] }
// where `baseline` was measured in the same run (stock Backstage, plain git, ...),
// `better` is 'lower' or 'higher', and `goal` is the ratio the issue asks for.
// Usage: npm run bench [-- <workload-name-substring> ...]
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(join(here, 'workloads'))
  .filter(f => f.endsWith('.mjs'))
  .filter(f => filters.length === 0 || filters.some(x => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(
    `no workload matches ${filters.join(', ') || '(none exist yet)'}`,
  );
  process.exit(1);
}

const fmt = (v, unit) =>
  `${Number.isInteger(v) ? v : v.toFixed(v >= 100 ? 0 : 2)} ${unit}`;
const rows = [];
let failed = false;
for (const file of files) {
  const workload = await import(pathToFileURL(join(here, 'workloads', file)));
  const name = workload.name ?? file;
  console.log(`\n== ${name}`);
  try {
    const results = await workload.run({ log: m => console.log(`   ${m}`) });
    for (const r of results) {
      const ratio = r.baseline ? r.value / r.baseline : undefined;
      let verdict = '';
      if (ratio !== undefined && r.goal !== undefined) {
        const ok = r.better === 'higher' ? ratio >= r.goal : ratio <= r.goal;
        verdict = ok
          ? `meets goal ${r.better === 'higher' ? '>=' : '<='} ${r.goal}x`
          : `MISSES goal ${r.better === 'higher' ? '>=' : '<='} ${r.goal}x`;
      }
      rows.push({ name, ...r, ratio, verdict });
      console.log(
        `   ${r.figure}: ${fmt(r.value, r.unit)}` +
          (r.baseline !== undefined
            ? `  baseline ${fmt(r.baseline, r.unit)}  ratio ${ratio.toFixed(
                2,
              )}x  ${verdict}`
            : ''),
      );
    }
  } catch (e) {
    failed = true;
    console.error(`   FAILED: ${e.stack ?? e}`);
  }
}

console.log('\nsummary');
for (const r of rows) {
  console.log(
    `  ${r.name} | ${r.figure} | ${fmt(r.value, r.unit)} | ` +
      (r.ratio !== undefined
        ? `${fmt(r.baseline, r.unit)} | ${r.ratio.toFixed(2)}x | ${r.verdict}`
        : '- | - | reported'),
  );
}
process.exit(failed ? 1 : 0);
