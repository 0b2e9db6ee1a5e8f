/*
 * One backend replica for replicas.ts: createBackend() with the runbooks
 * plugin (its RunWorker configured by the --config file replicas.ts writes,
 * on the shared PostgreSQL database) and a `bench` executor whose step waits
 * RUNBOOKS_BENCH_STEP_MS. Every execution is journaled: target name, start
 * and end (epoch ms, sub-millisecond), buffered in memory and appended to
 * RUNBOOKS_BENCH_JOURNAL every 200 ms (and when replicas.ts asks over IPC),
 * so replicas.ts can count executions per target and the steps running at
 * once over all replicas. On a `wake` IPC message it publishes the wake that
 * the replica creating a run sends to the others (topic `runbooks.runs`) on
 * this process's events service, as an events bus delivers it. Started by
 * replicas.ts with the CLI's transpiler.
 */
import { createBackend } from '@backstage/backend-defaults';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { EventsService, eventsServiceRef } from '@backstage/plugin-events-node';
import runbooksPlugin from '@fleetdeck/plugin-runbooks-backend';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { appendFileSync, writeFileSync } from 'fs';
import { appendFile } from 'fs/promises';

const journal = process.env.RUNBOOKS_BENCH_JOURNAL!;

/**
 * RUNBOOKS_REPLICAS_STATEMENTS: the statements this replica sent and the
 * wall time each kind took (first 60 characters), from pg's Client.query
 * (knex's PostgreSQL driver); replicas.ts prints them to stderr.
 */
const statements = new Map<string, { count: number; ms: number }>();
if (process.env.RUNBOOKS_REPLICAS_STATEMENTS) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function timedQuery(config: any, ...rest: any[]) {
    const text: string = typeof config === 'string' ? config : config?.text;
    const key = String(config?.name ? `prepared ${config.name}` : text)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 60);
    const started = performance.now();
    const done = () => {
      const s = statements.get(key) ?? { count: 0, ms: 0 };
      s.count += 1;
      s.ms += performance.now() - started;
      statements.set(key, s);
    };
    const callback = rest.findIndex(a => typeof a === 'function');
    if (callback >= 0) {
      const cb = rest[callback];
      rest[callback] = (...args: unknown[]) => {
        done();
        return cb(...args);
      };
      return query.call(this, config, ...rest);
    }
    const result = query.call(this, config, ...rest);
    if (result && typeof result.then === 'function') result.then(done, done);
    return result;
  };
}
const stepMs = Number(process.env.RUNBOOKS_BENCH_STEP_MS ?? 1000);
const now = () => performance.timeOrigin + performance.now();

/** Executions not yet appended to the journal: `target start end` lines. */
let buffered: string[] = [];
let running = 0;
let peakRunning = 0;
let executions = 0;

writeFileSync(journal, '');
let flushing: Promise<void> = Promise.resolve();
const flush = () => {
  flushing = flushing.then(async () => {
    if (buffered.length === 0) return;
    const lines = buffered;
    buffered = [];
    await appendFile(journal, lines.join(''));
  });
  return flushing;
};
setInterval(flush, 200).unref();
process.on('exit', () => {
  if (buffered.length > 0) appendFileSync(journal, buffered.join(''));
});

let events: EventsService | undefined;

const benchExecutor = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'bench-executor',
  register(reg) {
    reg.registerInit({
      deps: {
        runbooks: runbooksExecutorsExtensionPoint,
        eventsService: eventsServiceRef,
      },
      async init({ runbooks, eventsService }) {
        events = eventsService;
        runbooks.addExecutor({
          id: 'bench',
          async execute(ctx) {
            const start = now();
            running += 1;
            executions += 1;
            if (running > peakRunning) peakRunning = running;
            try {
              if (stepMs > 0) await new Promise(r => setTimeout(r, stepMs));
            } finally {
              running -= 1;
              buffered.push(
                `${ctx.target.metadata.name} ${start.toFixed(
                  3,
                )} ${now().toFixed(3)}\n`,
              );
            }
          },
        });
      },
    });
  },
});

process.on('message', (message: { type: string }) => {
  if (message?.type === 'wake') {
    // the broker's wire format (plugins/runbooks-backend/src/broker/wire.ts),
    // from an origin that is not this replica's, so its broker hears it
    events
      ?.publish({
        topic: 'runbooks.runs',
        eventPayload: {
          v: 1,
          origin: 'bench-creator',
          events: [{ kind: 'wake' }],
        },
      })
      .catch(e => console.error(`wake not published: ${e}`));
    return;
  }
  if (message?.type !== 'flush') return;
  flush().then(() =>
    process.send!({
      type: 'flushed',
      executions,
      peakRunning,
      running,
      statements: Object.fromEntries(statements),
    }),
  );
});

const backend = createBackend();
backend.add(runbooksPlugin);
backend.add(benchExecutor);
backend.start().then(() => process.send!({ type: 'ready' }));
