#!/usr/bin/env bash
# Proves that the publishable packages work when installed from their packed
# tarballs, outside this repository, with no src/ path or workspace link:
#
#   1. build (root `npm run build`: tsc declarations + backstage-cli repo build)
#   2. `npm pack` every workspace that is not private (prepack/postpack run
#      `backstage-cli package prepack|postpack`, which point main/types/exports
#      at dist/ and compile config.d.ts to config.schema.json)
#   3. inspect each tarball: no src/, no test files, entry points present
#   4. `npm install` all tarballs into a fresh directory outside the repo
#      (third-party dependencies come from the registry)
#   5. check (a) no installed @fleetdeck package points into src/ or is a
#      symlink, and each came from its tarball; (b) every node package can be
#      require()d and plugins/modules default-export a BackendFeature, and
#      migrations resolve inside node_modules; (c) a TypeScript file importing
#      every entry point type-checks against the dist types.
#
# Environment:
#   PACK_CHECK_SKIP_BUILD=1   reuse the existing dist/ folders
#   PACK_CHECK_JOBS=N         parallel `npm pack` processes (default 2)
#   PACK_CHECK_KEEP=1         keep the temp directory (path is printed)
#   PACK_CHECK_CONSUMER=DIR   only rerun the checks (a)-(c) in DIR/consumer, a
#                             directory kept by an earlier PACK_CHECK_KEEP=1 run
#   PACK_CHECK_WORK=DIR       work in DIR (kept) instead of a temp directory
#   PACK_CHECK_PACK_ONLY=1    stop once the tarballs are packed and inspected
#                             (DIR/tarballs, DIR/publishable.tsv)
#   PACK_CHECK_APP=DIR        with PACK_CHECK_WORK: run the checks (a)-(c) in
#                             DIR, an app that installed the tarballs its own
#                             way (scripts/adoption.sh, from a local registry)
#
# Exit code is non-zero on any failure, with a line naming the package.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
say() { printf '\n[pack-check] %s\n' "$*" >&2; }
fail() { printf '\n[pack-check] FAILED: %s\n' "$*" >&2; exit 1; }
SECONDS=0

if [ -n "${PACK_CHECK_CONSUMER:-}" ]; then
  WORK="$(cd "$PACK_CHECK_CONSUMER" && pwd)"
  PACK_CHECK_KEEP=1
elif [ -n "${PACK_CHECK_WORK:-}" ]; then
  mkdir -p "$PACK_CHECK_WORK"
  WORK="$(cd "$PACK_CHECK_WORK" && pwd)"
  PACK_CHECK_KEEP=1
  if [ -n "${PACK_CHECK_APP:-}" ]; then
    PACK_CHECK_CONSUMER=$WORK
  fi
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/fleetdeck-pack-check.XXXXXX")"
fi
case "$WORK" in "$ROOT"/*) fail "temp dir $WORK is inside the repository" ;; esac
TARBALLS="$WORK/tarballs"
CONSUMER="${PACK_CHECK_APP:-$WORK/consumer}"
mkdir -p "$TARBALLS" "$CONSUMER"

restore_package_json() {
  # A pack interrupted between prepack and postpack leaves a rewritten
  # package.json behind; put the original back.
  local backup
  for backup in "$ROOT"/plugins/*/package.json-prepack "$ROOT"/packages/*/package.json-prepack; do
    [ -e "$backup" ] || continue
    mv -f "$backup" "$(dirname "$backup")/package.json"
    echo "[pack-check] restored $(dirname "$backup")/package.json" >&2
  done
}
cleanup() {
  restore_package_json
  if [ "${PACK_CHECK_KEEP:-}" = 1 ]; then
    echo "[pack-check] kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

if [ -z "${PACK_CHECK_CONSUMER:-}" ]; then
# ---------------------------------------------------------------- build
if [ "${PACK_CHECK_SKIP_BUILD:-}" = 1 ]; then
  say "build skipped (PACK_CHECK_SKIP_BUILD=1)"
else
  say "build"
  npm run build || fail "npm run build"
fi

# ------------------------------------------------------- publishable list
# name<TAB>location<TAB>role for every workspace without "private": true
node -e '
  const fs = require("fs"), path = require("path");
  const root = process.argv[1];
  const globs = require(path.join(root, "package.json")).workspaces;
  for (const g of globs) {
    const base = path.join(root, g.replace(/\/\*$/, ""));
    for (const d of fs.readdirSync(base).sort()) {
      const file = path.join(base, d, "package.json");
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
      if (pkg.private) continue;
      console.log([pkg.name, path.relative(root, path.dirname(file)), pkg.backstage?.role ?? ""].join("\t"));
    }
  }' "$ROOT" > "$WORK/publishable.tsv"
COUNT=$(wc -l < "$WORK/publishable.tsv")
[ "$COUNT" -gt 0 ] || fail "no publishable workspace found"
say "$COUNT publishable packages"
cut -f1 "$WORK/publishable.tsv" | sed 's/^/  /' >&2

# Every @fleetdeck dependency of a publishable package must be publishable too.
node -e '
  const fs = require("fs"), path = require("path");
  const [root, list] = process.argv.slice(1);
  const rows = fs.readFileSync(list, "utf8").trim().split("\n").map(l => l.split("\t"));
  const names = new Set(rows.map(r => r[0]));
  const versions = new Map(rows.map(r => [r[0], require(path.join(root, r[1], "package.json")).version]));
  let bad = 0;
  for (const [name, loc] of rows) {
    const pkg = require(path.join(root, loc, "package.json"));
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
        if (!dep.startsWith("@fleetdeck/")) continue;
        if (!names.has(dep)) { console.error(`${name}: ${field} has ${dep}, which is private or not in the repo`); bad++; continue; }
        const v = versions.get(dep);
        if (!/^[\^~]?\d/.test(range) || !require(path.join(root, "node_modules/semver")).satisfies(v, range)) {
          console.error(`${name}: ${field} ${dep}@${range} does not match the workspace version ${v}`); bad++;
        }
      }
    }
  }
  process.exit(bad ? 1 : 0);' "$ROOT" "$WORK/publishable.tsv" || fail "internal dependency check (see above)"

# ------------------------------------------------------------------ pack
say "npm pack (${PACK_CHECK_JOBS:-2} at a time)"
for dir in $(cut -f2 "$WORK/publishable.tsv"); do
  [ -d "$ROOT/$dir/dist" ] || fail "$(node -p "require('$ROOT/$dir/package.json').name") has no dist/ (build it first)"
done
export ROOT TARBALLS WORK
cut -f1 "$WORK/publishable.tsv" | xargs -P "${PACK_CHECK_JOBS:-2}" -I{} bash -c '
  log="$WORK/pack-$(echo "$1" | tr "/@" "__").log"
  if ! (cd "$ROOT" && npm pack --workspace "$1" --pack-destination "$TARBALLS" --silent >"$log" 2>&1); then
    echo "[pack-check] FAILED: npm pack $1 (log follows)" >&2; tail -30 "$log" >&2; exit 255
  fi
  echo "  packed $1" >&2' _ {} || fail "npm pack (see above)"
restore_package_json
[ "$(ls "$TARBALLS"/*.tgz | wc -l)" -eq "$COUNT" ] || fail "expected $COUNT tarballs in $TARBALLS, got: $(ls "$TARBALLS")"
# Packing must leave the working tree as it was.
for dir in $(cut -f2 "$WORK/publishable.tsv"); do
  if grep -q '"main": "\./dist/' "$ROOT/$dir/package.json"; then
    fail "$dir/package.json was left rewritten by prepack"
  fi
done

# ------------------------------------------------------- tarball contents
say "tarball contents"
node - "$TARBALLS" "$WORK/publishable.tsv" <<'EOF' || fail "tarball contents (see above)"
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const [dir, list] = process.argv.slice(2);
const rows = fs.readFileSync(list, 'utf8').trim().split('\n').map(l => l.split('\t'));
let bad = 0;
const err = (name, msg) => { console.error(`  ${name}: ${msg}`); bad++; };
for (const [name, loc] of rows) {
  const file = path.join(dir, name.replace(/^@/, '').replace('/', '-') + '-' + require(path.resolve(loc, 'package.json')).version + '.tgz');
  if (!fs.existsSync(file)) { err(name, `no tarball ${path.basename(file)}`); continue; }
  const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').map(e => e.replace(/^package\//, ''));
  const pkg = JSON.parse(execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' }));
  for (const e of entries) {
    if (/^src\//.test(e)) err(name, `tarball contains source file ${e}`);
    if (/(\.test\.|\.spec\.|__testUtils__|__fixtures__|__mocks__|setupTests|e2e-tests\/)/.test(e)) err(name, `tarball contains test file ${e}`);
  }
  if (pkg.private) err(name, 'packed package.json is private');
  for (const f of ['main', 'types']) {
    if (!pkg[f]) err(name, `packed package.json has no ${f}`);
    else if (!entries.includes(pkg[f].replace(/^\.\//, ''))) err(name, `${f} ${pkg[f]} is not in the tarball`);
  }
  if (pkg.configSchema && !entries.includes(pkg.configSchema)) err(name, `configSchema ${pkg.configSchema} is not in the tarball`);
  if (fs.existsSync(path.resolve(loc, 'migrations')) && !entries.some(e => e.startsWith('migrations/'))) err(name, 'migrations/ missing from the tarball');
  const rel = pkg.publishConfig?.access;
  if (rel !== 'public') err(name, 'publishConfig.access is not public');
  console.error(`  ok ${name} (${entries.length} files)`);
}
process.exit(bad ? 1 : 0);
EOF

if [ "${PACK_CHECK_PACK_ONLY:-}" = 1 ]; then
  say "packed $COUNT packages into $TARBALLS in ${SECONDS}s"
  exit 0
fi

# --------------------------------------------------------------- install
say "npm install of all tarballs in $CONSUMER (registry supplies third-party packages)"
TS_VERSION=$(node -p "require('$ROOT/node_modules/typescript/package.json').version")
cat > "$CONSUMER/package.json" <<EOF
{
  "name": "fleetdeck-pack-check-consumer",
  "version": "0.0.0",
  "private": true
}
EOF
(
  cd "$CONSUMER"
  npm install --no-audit --no-fund --legacy-peer-deps --loglevel=error \
    "$TARBALLS"/*.tgz \
    react@^18 react-dom@^18 react-router-dom@^6 \
    @types/react@^18 @types/react-dom@^18 @types/node@^20 "typescript@$TS_VERSION"
) || fail "npm install of the tarballs"

fi # PACK_CHECK_CONSUMER
[ -f "$CONSUMER/publishable.tsv" ] || cp "$WORK/publishable.tsv" "$CONSUMER/publishable.tsv"
export TARBALLS

# ----------------------------------------------------------------- checks
COUNT=$(wc -l < "$CONSUMER/publishable.tsv")
say "(a) installed @fleetdeck packages: no src/ entry points, no symlinks, from the tarballs"
(cd "$CONSUMER" && node - <<'EOF') || fail "(a) see above"
const fs = require('fs'), path = require('path');
const rows = fs.readFileSync('publishable.tsv', 'utf8').trim().split('\n').map(l => l.split('\t'));
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')).packages;
// name -> sha512 integrity of its packed tarball: an install from a registry
// that served the tarball records that integrity (and no file: resolution)
const packed = new Map();
for (const f of fs.existsSync(process.env.TARBALLS ?? '') ? fs.readdirSync(process.env.TARBALLS) : []) {
  if (!f.endsWith('.tgz')) continue;
  const file = path.join(process.env.TARBALLS, f);
  const name = JSON.parse(require('child_process').execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' })).name;
  packed.set(name, 'sha512-' + require('crypto').createHash('sha512').update(fs.readFileSync(file)).digest('base64'));
}
let bad = 0;
const err = (name, msg) => { console.error(`  ${name}: ${msg}`); bad++; };
// every @fleetdeck directory anywhere under node_modules
const found = [];
(function walk(nm) {
  if (!fs.existsSync(nm)) return;
  for (const e of fs.readdirSync(nm)) {
    if (e.startsWith('.')) continue;
    const pkgs = e.startsWith('@') ? fs.readdirSync(path.join(nm, e)).map(s => path.join(nm, e, s)) : [path.join(nm, e)];
    for (const p of pkgs) {
      if (e === '@fleetdeck') found.push(p);
      walk(path.join(p, 'node_modules'));
    }
  }
})('node_modules');
const seen = new Set();
for (const p of found) {
  const st = fs.lstatSync(p);
  const name = '@fleetdeck/' + path.basename(p);
  const before = bad;
  if (st.isSymbolicLink()) { err(name, `${p} is a symlink to ${fs.readlinkSync(p)}`); continue; }
  const pkg = JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8'));
  seen.add(pkg.name);
  const entries = [['main', pkg.main], ['types', pkg.types], ['module', pkg.module], ['typings', pkg.typings]];
  (function collect(v, at) {
    if (typeof v === 'string') entries.push([at, v]);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, `${at}[${k}]`);
  })(pkg.exports, 'exports');
  entries.splice(0, entries.length, ...entries.filter(([field]) => !field.endsWith('[backstage]'))); // a feature type, not a path
  (function collect(v, at) {
    if (typeof v === 'string') entries.push([at, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => collect(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, `${at}[${k}]`);
  })(pkg.typesVersions, 'typesVersions');
  for (const [field, value] of entries) {
    if (typeof value !== 'string' || !value.includes('/') && !value.includes('.')) continue;
    if (/(^|\/)src\//.test(value) || /\.tsx?$/.test(value) && !/\.d\.ts$/.test(value)) err(pkg.name, `${field} points at source: ${value}`);
    else if (value !== './package.json' && !value.includes('*') && !fs.existsSync(path.join(p, value))) err(pkg.name, `${field} ${value} does not exist`);
  }
  const entry = lock[path.relative('.', p)];
  if (!entry) err(pkg.name, `${p} is not in package-lock.json`);
  else if (entry.link) err(pkg.name, `${p} is a link in package-lock.json`);
  else if (!String(entry.resolved).startsWith('file:') && entry.integrity !== packed.get(pkg.name)) err(pkg.name, `${p} was not installed from its tarball (resolved: ${entry.resolved}, integrity: ${entry.integrity})`);
  if (bad === before) console.error(`  ok ${pkg.name} (${path.relative('.', p)})`);
}
for (const [name] of rows) if (!seen.has(name)) err(name, 'not installed');
process.exit(bad ? 1 : 0);
EOF

say "(b) node packages load with require(); plugins and modules default-export a BackendFeature"
(cd "$CONSUMER" && node - <<'EOF') || fail "(b) see above"
const fs = require('fs'), path = require('path');
const rows = fs.readFileSync('publishable.tsv', 'utf8').trim().split('\n').map(l => l.split('\t'));
const NODE_ROLES = ['backend-plugin', 'backend-plugin-module', 'node-library', 'common-library'];
let bad = 0;
const err = (name, msg) => { console.error(`  ${name}: ${msg}`); bad++; };
for (const [name, , role] of rows) {
  if (!NODE_ROLES.includes(role)) continue;
  const dir = path.join('node_modules', name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const subpaths = pkg.exports ? Object.keys(pkg.exports).filter(s => s !== './package.json') : ['.'];
  const features = pkg.backstage?.features ?? {};
  for (const sub of subpaths) {
    const spec = sub === '.' ? name : `${name}/${sub.replace(/^\.\//, '')}`;
    let mod;
    try {
      mod = require(spec);
    } catch (e) {
      err(spec, `require() failed: ${e.stack.split('\n').slice(0, 4).join(' | ')}`);
      continue;
    }
    const resolved = require.resolve(spec);
    if (!resolved.startsWith(path.resolve(dir) + path.sep) || /\/src\//.test(resolved)) err(spec, `resolved outside dist: ${resolved}`);
    const isPluginEntry = (role === 'backend-plugin' || role === 'backend-plugin-module') && sub === '.';
    if (isPluginEntry || features[sub] === '@backstage/BackendFeature') {
      const type = mod.default?.$$type;
      if (type !== '@backstage/BackendFeature') { err(spec, `default export is not a BackendFeature (got ${type ?? typeof mod.default})`); continue; }
    }
    console.error(`  ok ${spec}${mod.default?.$$type ? ` (default: ${mod.default.$$type})` : ''}`);
  }
  // migrations must resolve to the installed package
  if (fs.existsSync(path.join(dir, 'migrations'))) {
    const { resolvePackagePath } = require('@backstage/backend-plugin-api');
    const m = resolvePackagePath(name, 'migrations');
    const files = fs.existsSync(m) ? fs.readdirSync(m).filter(f => f.endsWith('.js')) : [];
    if (!m.startsWith(path.resolve(dir)) || files.length === 0) err(name, `migrations resolve to ${m} with ${files.length} files`);
    else {
      for (const f of files) {
        const mig = require(path.join(m, f));
        if (typeof mig.up !== 'function') err(name, `migration ${f} has no up()`);
      }
      console.error(`  ok ${name} migrations (${files.length}) at ${path.relative('.', m)}`);
    }
  }
}
process.exit(bad ? 1 : 0);
EOF

say "(c) a TypeScript file importing every entry point type-checks against the dist types"
(cd "$CONSUMER" && node - <<'EOF') || fail "writing the TypeScript check"
const fs = require('fs'), path = require('path');
const rows = fs.readFileSync('publishable.tsv', 'utf8').trim().split('\n').map(l => l.split('\t'));
const lines = ["// generated by scripts/pack-check.sh"];
let i = 0;
for (const [name] of rows) {
  const pkg = JSON.parse(fs.readFileSync(path.join('node_modules', name, 'package.json'), 'utf8'));
  const subpaths = pkg.exports ? Object.keys(pkg.exports).filter(s => s !== './package.json') : ['.'];
  const features = pkg.backstage?.features ?? {};
  for (const sub of subpaths) {
    const spec = sub === '.' ? name : `${name}/${sub.replace(/^\.\//, '')}`;
    i++;
    lines.push(`import * as ns${i} from '${spec}';`);
    lines.push(`export const keys${i}: Array<keyof typeof ns${i}> = Object.keys(ns${i}) as any;`);
    const feature = features[sub];
    if (feature) {
      lines.push(`import feature${i} from '${spec}';`);
      lines.push(`export const feature${i}Type: '${feature}' = feature${i}.$$type;`);
    }
  }
}
fs.writeFileSync('check.ts', lines.join('\n') + '\n');
const common = {
  target: 'ES2022', module: 'ES2020', moduleResolution: 'bundler', jsx: 'react-jsx',
  strict: true, noEmit: true, esModuleInterop: true, types: ['node'], lib: ['DOM', 'DOM.Iterable', 'ES2023'],
};
fs.writeFileSync('tsconfig.json', JSON.stringify({ compilerOptions: { ...common, skipLibCheck: true }, files: ['check.ts'] }, null, 2));
// Same, but checking the .d.ts files too; only errors inside @fleetdeck
// packages count (e.g. a type imported from a module that is not a dependency).
fs.writeFileSync('tsconfig.strict.json', JSON.stringify({ compilerOptions: { ...common, skipLibCheck: false }, files: ['check.ts'] }, null, 2));
console.error(`  check.ts imports ${i} entry points of ${rows.length} packages`);
EOF
(cd "$CONSUMER" && npx tsc -p tsconfig.json --pretty false) || fail "(c) tsc --noEmit of check.ts (errors above name the package)"
echo "  ok tsc --noEmit (skipLibCheck)" >&2
set +e
(cd "$CONSUMER" && npx tsc -p tsconfig.strict.json --pretty false) > "$WORK/tsc-strict.log" 2>&1
set -e
if grep -E '^node_modules/@fleetdeck/' "$WORK/tsc-strict.log" > "$WORK/tsc-strict-ours.log"; then
  cat "$WORK/tsc-strict-ours.log" >&2
  fail "(c) type errors inside the published .d.ts of: $(sed -E 's#^node_modules/(@fleetdeck/[^/]+)/.*#\1#' "$WORK/tsc-strict-ours.log" | sort -u | tr '\n' ' ')"
fi
echo "  ok the published .d.ts files have no type errors of their own" >&2

say "all checks passed: $COUNT packages packed, installed outside the repo and verified in ${SECONDS}s"
