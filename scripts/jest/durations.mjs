// Reads the JSON report of a whole run
// (`CI=true npx backstage-cli repo test --json --outputFile=<file>`; scripts/test.sh
// writes one to node_modules/.cache/fleetdeck-jest-report.json) and either
// writes scripts/jest/durations.json, the seconds of every suite that took at
// least the threshold, which scripts/jest/sequencer.cjs starts first, or with
// --print only prints those suites, longest first.
//   node scripts/jest/durations.mjs [--print] <report.json> [threshold seconds, default 60]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const print = args[0] === '--print';
const [report, threshold = '60'] = print ? args.slice(1) : args;
if (!report) {
  console.error(
    'usage: durations.mjs [--print] <report.json> [threshold seconds]',
  );
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
if (print) {
  for (const [suite, seconds] of Object.entries(suites))
    console.log(`${String(seconds).padStart(5)} s  ${suite}`);
} else {
  writeFileSync(
    join(here, 'durations.json'),
    `${JSON.stringify(
      { thresholdSeconds: Number(threshold), suites },
      null,
      2,
    )}\n`,
  );
  console.log(suites);
}
