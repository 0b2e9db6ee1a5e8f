// Jest's own order (failed last time first, then the longest by the times of
// the last run in Jest's cache, then the biggest file), except that the
// suites known to take minutes start first. On a clean machine Jest has no
// times and orders by file size, and the longest suites are small files
// (the catalog's kill test is 45 lines and runs for about 10 minutes): started
// last, one of them ran alone for its whole length while the other worker
// idled. durations.json holds each slow suite's seconds from a CI run; refresh
// it with `node scripts/jest/durations.mjs <jest --json output>`.
const { default: Sequencer } = require('@jest/test-sequencer');
const { relative, resolve } = require('node:path');
const durations = require('./durations.json');

const root = resolve(__dirname, '../..');
const known = test => durations.suites[relative(root, test.path)] ?? 0;

class SlowestFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const slow = ordered
      .filter(test => known(test) >= durations.thresholdSeconds)
      .sort((a, b) => known(b) - known(a));
    return [...slow, ...ordered.filter(test => !slow.includes(test))];
  }
}

module.exports = SlowestFirstSequencer;
