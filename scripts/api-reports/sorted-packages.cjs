// Preloaded into backstage-repo-tools by `npm run build:api-reports` and
// `npm run test:api-reports`: the API reports of every package in one
// deterministic order.
//
// api-reports analyses all packages with one TypeScript program, so the
// order it takes them in decides the order of union members and object
// properties it prints (TypeScript orders a union by when each member type
// was first created). It lists the packages with ten concurrent readers
// (categorizePackageDirs), in whatever order their package.json reads
// finish: two runs on the same tree printed `'GET' | 'HEAD' | ...` and
// `'HEAD' | 'GET' | ...` for the same zod enum, and `--ci` failed on one.
// Sorted, every run takes the packages in the same order.
const path = require('node:path');

const file = path.join(
  path.dirname(require.resolve('@backstage/repo-tools/package.json')),
  'dist/commands/api-reports/categorizePackageDirs.cjs.js',
);
// Fails here, naming the file, if a repo-tools release moves it.
const mod = require(file);
const original = mod.categorizePackageDirs;
if (typeof original !== 'function') {
  throw new Error(`${file} no longer exports categorizePackageDirs`);
}
mod.categorizePackageDirs = async (...args) => {
  const dirs = await original(...args);
  for (const list of Object.values(dirs)) list.sort();
  return dirs;
};
