// One runbook run through a running portal's API, as the demo's guest (an ops
// engineer of the Kafka platform team): a dry run of the Kafka rolling patch
// on kafka-payments-dev, which runs ansible-playbook in check mode. Passes
// when the run succeeds and its log holds Ansible's PLAY RECAP.
//   node scripts/node-versions/runbook-smoke.mjs <portal url>
const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: runbook-smoke.mjs <portal url>');
  process.exit(2);
}
const RUNBOOK = 'runbook:default/kafka-rolling-patch';
const TARGET = 'cluster:default/kafka-payments-dev';
const deadline = Date.now() + 240_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function api(path, init = {}) {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

let token;
const refresh = await api('/api/auth/guest/refresh', { method: 'POST' });
if (refresh.status !== 200)
  throw new Error(`guest sign-in: HTTP ${refresh.status}`);
token = refresh.body.backstageIdentity.token;

// the catalog ingests the runbook and the cluster after the backend is ready
for (const ref of [RUNBOOK, TARGET]) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  for (;;) {
    const res = await api(
      `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
    );
    if (res.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${ref} never in the catalog`);
    await sleep(1000);
  }
}

const started = await api('/api/runbooks/runs', {
  method: 'POST',
  body: JSON.stringify({
    runbookRef: RUNBOOK,
    targets: [TARGET],
    parameters: { version: '3.7.2' },
    dryRun: true,
  }),
});
if (started.status !== 201)
  throw new Error(
    `starting the run: HTTP ${started.status} ${JSON.stringify(started.body)}`,
  );
const runId = started.body.id;
let run;
for (;;) {
  run = (await api(`/api/runbooks/runs/${runId}`)).body;
  if (!['awaiting_approval', 'running'].includes(run.status)) break;
  if (Date.now() > deadline)
    throw new Error(`run ${runId} still ${run.status} after 4 minutes`);
  await sleep(1000);
}
const logs = (await api(`/api/runbooks/runs/${runId}/logs?limit=1000`)).body;
const lines = (logs?.items ?? []).map(l => l.message);
if (run.status !== 'succeeded' || !lines.some(l => l.includes('PLAY RECAP'))) {
  console.error(lines.slice(-40).join('\n'));
  throw new Error(
    `run ${runId} ended ${run.status}; PLAY RECAP in its log: ${lines.some(l =>
      l.includes('PLAY RECAP'),
    )}`,
  );
}
console.log(
  `runbook run ${runId}: ${RUNBOOK} on ${TARGET} (dry run) succeeded, ${lines.length} log lines with PLAY RECAP`,
);
