import { createServiceFactory } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { generateKeyPairSync } from 'crypto';
import request from 'supertest';
import {
  encodedForms,
  expectNoSecretForms,
  recordingRootLogger,
  wholeText,
} from '../__testUtils__/secretLeaks';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

/** A configured secret, and a multi-line one: a real key as a 3-line PEM. */
const token = 'tok-3f9Q-not-for-logs-77';
const pem = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .trim();
/** A secret run parameter, typed into the start form. */
const passphrase = 'k8Zq-pass-Value-0042';

const b64 = (t: string) => Buffer.from(t).toString('base64');
const hex = (t: string) => Buffer.from(t).toString('hex');
const split = (t: string, at: number) => [t.slice(0, at), t.slice(at)];

/** Every form of the secrets that must appear nowhere (and their halves). */
const forbidden = [
  ...[token, pem, passphrase].flatMap(encodedForms),
  // the body line of the key, alone
  pem.split('\n')[1],
  // halves of the secrets printed split over two lines
  ...split(token, 9),
  ...split(passphrase, 10),
  // the middle of a base64 blob holding the token
  b64(`admin:${token}`).slice(8, 28),
];

const entitiesYaml = `
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: kafka-staging-01 }
spec: { engine: kafka, version: 3.6.0, environment: staging, owner: group:default/platform-kafka, nodes: [k1] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata:
  name: secret-echo
  title: Secret echo
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster, spec.engine: kafka }
  parameters:
    type: object
    properties:
      passphrase: { type: string, format: password }
  steps:
    - id: echo
      executor: echo
      input:
        token: '\${{ secrets.apiToken }}'
        key: '\${{ secrets.tlsKey }}'
    - id: fail
      executor: echo
      input:
        token: '\${{ secrets.apiToken }}'
        fail: true
`;

/**
 * Prints the secrets the ways tools do (raw, base64 inside a blob, hex,
 * split over two lines, a PEM line by line), returns them in its output,
 * and in its second step fails with an error quoting them.
 */
const echo: RunbookExecutor = {
  id: 'echo',
  async execute(ctx) {
    const secret = String(ctx.input.token);
    if (ctx.input.fail) {
      throw new Error(
        `login refused for ${secret} (Authorization: Basic ${b64(
          `admin:${secret}`,
        )})`,
      );
    }
    const key = String(ctx.input.key);
    const param = String(ctx.parameters.passphrase);
    ctx.logger.info(`token=${secret}`);
    ctx.logger.info(`Authorization: Basic ${b64(`admin:${secret}`)}`);
    ctx.logger.info(`hex ${hex(secret)}`);
    const [head, tail] = split(secret, 9);
    ctx.logger.info(`wrapped ${head}`);
    ctx.logger.info(`${tail} (wrapped)`);
    ctx.logger.info('-- key --');
    for (const line of key.split('\n')) ctx.logger.info(line);
    ctx.logger.info('-- end --');
    const [p1, p2] = split(param, 10);
    ctx.logger.warn(`passphrase ${p1}`);
    ctx.logger.warn(p2);
    return {
      output: {
        token: secret,
        hex: hex(secret).toUpperCase(),
        key,
        split: `${head}\n${tail}`,
      },
    };
  },
};

/** Records notifications, then refuses them quoting what it got (the notifier logs that). */
function refusingNotifications(sent: unknown[]) {
  return createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      async send(options: unknown) {
        sent.push(options);
        throw new Error(`notifications refused ${JSON.stringify(options)}`);
      },
    }),
  });
}

describe.each(databases.eachSupportedId())(
  'runbooks redaction on every output path on %s',
  databaseId => {
    const backendLog: string[] = [];
    const notifications: unknown[] = [];
    let backend: Awaited<ReturnType<typeof startRunbooksTestBackend>>;

    beforeAll(async () => {
      backend = await startRunbooksTestBackend({
        databases,
        databaseId,
        entitiesYaml,
        executors: [echo],
        features: [
          recordingRootLogger(backendLog),
          refusingNotifications(notifications),
        ],
        config: {
          secrets: {
            apiToken: {
              value: token,
              runbooks: ['runbook:default/secret-echo'],
            },
            tlsKey: { value: pem, runbooks: ['runbook:default/secret-echo'] },
          },
        },
        waitFor: [
          'cluster:default/kafka-staging-01',
          'runbook:default/secret-echo',
        ],
      });
    });
    afterAll(() => backend?.stop());

    const get = (path: string) =>
      request(backend.server)
        .get(`/api/runbooks${path}`)
        .set('Authorization', backend.as('user:default/amelie'));

    it('shows a secret echoed raw, as base64, hex, split over lines and inside a PEM in no log, event, response, audit event, notification or backend log', async () => {
      // a request quoting the secret: the error and the audit event redact it
      const hostile = await request(backend.server)
        .post('/api/runbooks/runs')
        .set('Authorization', backend.as('user:default/amelie'))
        .send({
          runbookRef: 'runbook:default/secret-echo',
          targets: [`cluster:default/${token}`],
        });
      expect(hostile.status).toBe(400);
      expect(hostile.body.error.message).toBe(
        'The request holds the value of a configured secret (shown as *** in the audit event); no target or id may',
      );

      const started = await request(backend.server)
        .post('/api/runbooks/runs')
        .set('Authorization', backend.as('user:default/amelie'))
        .send({
          runbookRef: 'runbook:default/secret-echo',
          targets: ['cluster:default/kafka-staging-01'],
          parameters: { passphrase },
        });
      expect(started.status).toBe(201);
      const runId = started.body.id;
      let run: any;
      for (let i = 0; i < 300; i++) {
        run = (await get(`/runs/${runId}`)).body;
        if (run.status === 'failed') break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(run.status).toBe('failed');

      // a line stored unredacted (by an older version, or by hand): the
      // API and the event stream still redact it, the run's parameter too
      await backend.knex('runbooks_logs').insert({
        run_id: runId,
        level: 'info',
        message: `legacy ${token} and ${passphrase}`,
        created_at: Date.now(),
      });

      // stored log lines, through the API
      const logs = await get(`/runs/${runId}/logs?limit=1000`);
      expect(logs.body.items.map((l: any) => l.message)).toContain(
        'legacy *** and ***',
      );
      const messages = logs.body.items
        .filter((l: any) => l.stepId === 'echo')
        .map((l: any) => l.message);
      expect(messages).toEqual([
        'Step echo (echo) attempt 1',
        'token=***',
        'Authorization: Basic YWRtaW46***',
        'hex ***',
        'wrapped ***',
        '*** (wrapped)',
        '-- key --',
        '***',
        '***',
        '***',
        '-- end --',
        'passphrase ***',
        '***',
      ]);

      // the API: the run, its targets (errors, step outputs), one target, runs
      const targets = await get(`/runs/${runId}/targets`);
      const target = targets.body.items[0];
      expect(target.error).toBe(
        'Step fail failed: login refused for *** (Authorization: Basic YWRtaW46***)',
      );
      expect(target.steps[0].output).toEqual({
        token: '***',
        hex: '***',
        key: '***',
        split: '***',
      });
      const one = await get(`/runs/${runId}/targets/${target.id}`);
      const list = await get('/runs?runbookRef=runbook:default/secret-echo');
      expect(list.body.items.map((r: any) => r.id)).toContain(runId);

      // server-sent events of the ended run
      const stream = await get(`/runs/${runId}/stream`)
        .buffer(true)
        .parse(wholeText);
      expect(stream.body).toContain('event: log');
      expect(stream.body).toContain('wrapped ***');
      expect(stream.body).toContain('legacy *** and ***');
      expect(stream.body).toContain('Step fail failed: login refused for ***');

      // audit events: the hostile start's targets and error
      const hostileAudit = backend.auditEvents.filter(
        e => e.eventId === 'run-start' && e.status === 'failed',
      );
      expect(hostileAudit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            meta: expect.objectContaining({ targets: ['cluster:default/***'] }),
            error: expect.stringContaining('holds the value of a configured'),
          }),
        ]),
      );

      // notifications: the requester hears of the failure, with its reason
      for (let i = 0; i < 100 && notifications.length === 0; i++) {
        await new Promise(r => setTimeout(r, 100));
      }
      expect(notifications).toEqual([
        {
          recipients: { type: 'entity', entityRef: 'user:default/amelie' },
          payload: expect.objectContaining({
            title: 'Runbook run failed on 1 of 1 targets',
            description:
              'Secret echo · cluster:default/kafka-staging-01: Step fail failed: login refused for *** (Authorization: Basic YWRtaW46***)',
          }),
        },
      ]);
      // the backend log: the notifier logged the refusal, quoting the payload
      expect(backendLog.join('\n')).toContain('Could not send notification');

      expectNoSecretForms(
        {
          logs: JSON.stringify(logs.body),
          sse: stream.body as string,
          responses: JSON.stringify([
            hostile.body,
            started.body,
            run,
            targets.body,
            one.body,
            list.body,
          ]),
          audit: JSON.stringify(backend.auditEvents),
          notifications: JSON.stringify(notifications),
          backendLog: backendLog.join('\n'),
        },
        forbidden,
      );
    });
  },
);
