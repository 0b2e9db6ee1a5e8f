#!/usr/bin/env node
// A minimal npm registry on 127.0.0.1 that serves only the packed @fleetdeck
// tarballs in one directory, so that a stock Backstage app can follow each
// plugin README's `npm install @fleetdeck/...` line word for word. The app's
// .npmrc points the @fleetdeck scope here; every other package still comes
// from the registry npm is configured with.
//
//   node scripts/adoption/registry.mjs <tarball-dir> <port-file>
//
// It listens on a free port, writes the port to <port-file> and serves
//   GET /@fleetdeck%2f<name>          the packument (name, dist-tags, versions)
//   GET /-/<file>.tgz                 a tarball
// Anything else answers 404, so a typo in a README fails the install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [dir, portFile] = process.argv.slice(2);
if (!dir || !portFile) {
  console.error('usage: registry.mjs <tarball-dir> <port-file>');
  process.exit(2);
}

/** name -> { version, manifest, file, integrity, shasum } */
const packages = new Map();
for (const file of readdirSync(dir).filter(f => f.endsWith('.tgz'))) {
  const bytes = readFileSync(join(dir, file));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xOzf', join(dir, file), 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  packages.set(manifest.name, {
    manifest,
    file,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  });
}

const server = createServer((req, res) => {
  const base = `http://${req.headers.host}`;
  const path = decodeURIComponent(new URL(req.url, base).pathname);
  if (path.startsWith('/-/')) {
    const file = path.slice(3);
    const entry = [...packages.values()].find(p => p.file === file);
    if (!entry) return notFound(res, path);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    return res.end(readFileSync(join(dir, file)));
  }
  const entry = packages.get(path.slice(1));
  if (!entry) return notFound(res, path);
  const { manifest } = entry;
  const version = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: {
      tarball: `${base}/-/${entry.file}`,
      integrity: entry.integrity,
      shasum: entry.shasum,
    },
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  return res.end(
    JSON.stringify({
      _id: manifest.name,
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: { [manifest.version]: version },
    }),
  );
});

function notFound(res, path) {
  console.error(`[registry] 404 ${path}`);
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not found' }));
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  writeFileSync(portFile, String(port));
  console.error(
    `[registry] ${packages.size} @fleetdeck packages on http://127.0.0.1:${port}/`,
  );
});
