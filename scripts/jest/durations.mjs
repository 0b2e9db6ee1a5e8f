// Writes scripts/jest/durations.json from the JSON report of a whole run
// (`CI=true npx backstage-cli repo test --json --outputFile=<file>`): the
// seconds of every suite that took at least the threshold, which
// scripts/jest/sequencer.cjs starts first.
//   node scripts/jest/durations.mjs <report.json> [threshold seconds, default 60]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const [report, threshold = '60'] = process.argv.slice(2);
if (!report) {
  console.error('usage: durations.mjs <report.json> [threshold seconds]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const suites = Object.fromEntries(
  testResults
    .map(r => [
      relative(root, r.name),
      Math.round((r.endTime - r.startTime) / 1000),
    ])
    .filter(([, seconds]) => seconds >= Number(threshold))
    .sort(([, a], [, b]) => b - a),
);
writeFileSync(
  join(here, 'durations.json'),
  `${JSON.stringify(
    { thresholdSeconds: Number(threshold), suites },
    null,
    2,
  )}\n`,
);
console.log(suites);
