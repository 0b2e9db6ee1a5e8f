// Helpers shared by the workloads in bench/workloads.
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A free TCP port on the loopback interface. */
export const freePort = () =>
  new Promise(ok => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

/**
 * Source of a CommonJS script that starts a backend with the given plugin and
 * module packages, resolved from packages/backend like the real backend.
 */
export const backendScript = packages => `
const { createRequire } = require('node:module');
const r = createRequire(${JSON.stringify(
  join(repoRoot, 'packages/backend/package.json'),
)});
const { createBackend } = r('@backstage/backend-defaults');
const backend = createBackend();
${packages.map(p => `backend.add(r(${JSON.stringify(p)}));`).join('\n')}
backend.start();
`;
