'use strict';

const { after, before, test } = require('node:test');
const assert = require('node:assert/strict');
const { start } = require('../src/server');
const pkg = require('../package.json');

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test('answers the liveness probe', async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('answers the readiness probe', async () => {
  const res = await fetch(`${base}/readyz`);
  assert.equal(res.status, 200);
});

test('names itself and its version', async () => {
  const res = await fetch(`${base}/`);
  assert.deepEqual(await res.json(), {
    service: pkg.name,
    version: pkg.version,
  });
});

test('answers 404 for unknown routes', async () => {
  const res = await fetch(`${base}/nope`);
  assert.equal(res.status, 404);
});
