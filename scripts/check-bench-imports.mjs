// Every module a benchmark names by path inside a workspace package
// (`@fleetdeck/<package>/src/...`) must exist: benchmarks run rarely, so a
// file moved by a refactoring would otherwise be found broken only when
// someone next measures.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = new Map();
for (const group of ['plugins', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const manifest = join(root, group, name, 'package.json');
    if (existsSync(manifest)) {
      packages.set(
        JSON.parse(readFileSync(manifest, 'utf8')).name,
        join(root, group, name),
      );
    }
  }
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(m?js|cjs|ts)$/.test(name)) yield path;
  }
}

const exists = base =>
  ['', '.ts', '.tsx', '.js', '/index.ts', '/index.js'].some(ext =>
    existsSync(base + ext),
  );

const broken = [];
for (const file of files(join(root, 'bench'))) {
  const text = readFileSync(file, 'utf8');
  for (const [, pkg, path] of text.matchAll(
    /['"](@fleetdeck\/[a-z0-9-]+)\/(src\/[^'"]+)['"]/g,
  )) {
    const dir = packages.get(pkg);
    if (!dir || !exists(join(dir, path))) {
      broken.push(`${file.slice(root.length + 1)}: ${pkg}/${path}`);
    }
  }
}
if (broken.length) {
  console.error(
    `Benchmarks import modules that do not exist:\n  ${broken.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('bench imports: every @fleetdeck/<package>/src path exists');
