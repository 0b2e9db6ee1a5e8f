import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FakeVault } from '@fleetdeck/backend-test-utils';
import { TlsExecutor } from '@fleetdeck/plugin-runbooks-backend-module-tls';
import { VaultExecutor } from '@fleetdeck/plugin-runbooks-backend-module-vault';
import { execFileSync } from 'child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { createServer, Server } from 'tls';
import {
  encodedForms,
  expectNoSecretForms,
  recordingRootLogger,
  wholeText,
} from '../__testUtils__/secretLeaks';
import { startRunbooksTestBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

const PKI_ROLE = 'pki/issue/fleetdeck';
const CERTS = 'secret/data/fleetdeck/certs/';
const RUNBOOK = 'runbook:default/certificate-renewal';

/** A self-signed certificate made with openssl, valid for `days`. */
function certificate(dir: string, name: string, days: number) {
  const file = (ext: string) => join(dir, `${name}.${ext}`);
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days),
      '-keyout', file('key'), '-out', file('pem'), '-subj', `/CN=${name}.fleetdeck.test`,
    ], // prettier-ignore
    { stdio: 'ignore' },
  );
  return { key: readFileSync(file('key')), cert: readFileSync(file('pem')) };
}

/** A TLS server on 127.0.0.1 presenting the certificate. */
async function serve(options: { key: Buffer; cert: Buffer }) {
  const server = createServer(options, socket => socket.end());
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return server;
}

const endpoint = (server: Server) =>
  `127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * Two Kafka clusters, each with its TLS endpoint, and the runbook: check
 * the target's endpoints, report only; renew from Vault PKI into Vault KV
 * when 14 days or fewer are left.
 */
const entitiesYaml = (expiring: string, healthy: string) => `
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: kafka-staging-01 }
spec: { engine: kafka, version: 3.6.0, environment: staging, owner: group:default/platform-kafka, nodes: [k1], endpoints: ['${expiring}'] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Cluster
metadata: { name: kafka-staging-02 }
spec: { engine: kafka, version: 3.6.0, environment: staging, owner: group:default/platform-kafka, nodes: [k2], endpoints: ['${healthy}'] }
---
apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata:
  name: certificate-renewal
  title: Certificate renewal
spec:
  owner: group:default/platform-kafka
  targets: { kind: Cluster, spec.engine: kafka }
  steps:
    - id: check
      executor: tls
      input: { reportOnly: true, minDaysLeft: 14 }
    - id: renew
      executor: vault
      input:
        renewCertificate:
          pkiRole: ${PKI_ROLE}
          commonName: '\${{ target.metadata.name }}.fleetdeck.test'
          ttl: 2160h
          path: '${CERTS}\${{ target.metadata.name }}'
          daysLeft: '\${{ steps.check.output.daysLeft }}'
          renewWithinDays: 14
`;

describe('certificate renewal runbook', () => {
  let dir: string;
  let expiring: { key: Buffer; cert: Buffer };
  const servers: Server[] = [];
  let expiringServer: Server;
  let healthyServer: Server;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cert-renewal-test-'));
    expiring = certificate(dir, 'kafka-staging-01', 3);
    expiringServer = await serve(expiring);
    healthyServer = await serve(certificate(dir, 'kafka-staging-02', 200));
    servers.push(expiringServer, healthyServer);
  });
  afterAll(async () => {
    await Promise.all(servers.map(s => new Promise(r => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const vault = new FakeVault();
    const backendLog: string[] = [];
    let token: string;
    let backend: Awaited<ReturnType<typeof startRunbooksTestBackend>>;

    beforeAll(async () => {
      await vault.start();
      vault.addPkiRole(PKI_ROLE);
      token = vault.addToken({
        rules: [
          { path: CERTS, capabilities: ['create', 'update'] },
          { path: PKI_ROLE, capabilities: ['update'] },
        ],
      });
      const runbooks = {
        tls: { allowedHosts: ['127.0.0.1'] },
        vault: { writablePaths: [CERTS], pkiRoles: [PKI_ROLE] },
      };
      const top = { vault: { baseUrl: vault.url, auth: { token } } };
      // built as their modules build them, from the same config
      const config = new ConfigReader({ runbooks, ...top });
      backend = await startRunbooksTestBackend({
        databases,
        databaseId,
        entitiesYaml: entitiesYaml(
          endpoint(expiringServer),
          endpoint(healthyServer),
        ),
        executors: [
          TlsExecutor.fromConfig(config),
          VaultExecutor.fromConfig(config),
        ],
        features: [recordingRootLogger(backendLog)],
        config: runbooks,
        extraConfig: top,
        waitFor: [
          'cluster:default/kafka-staging-01',
          'cluster:default/kafka-staging-02',
          RUNBOOK,
        ],
      });
    });
    afterAll(async () => {
      await backend?.stop();
      await vault.stop();
    });
    beforeEach(() => {
      vault.requests.length = 0;
    });

    const get = (path: string) =>
      request(backend.server)
        .get(`/api/runbooks${path}`)
        .set('Authorization', backend.as('user:default/amelie'));

    /** Starts the runbook on a cluster as amelie; returns the start and the ended run. */
    async function runOn(cluster: string) {
      const started = await request(backend.server)
        .post('/api/runbooks/runs')
        .set('Authorization', backend.as('user:default/amelie'))
        .send({ runbookRef: RUNBOOK, targets: [`cluster:default/${cluster}`] });
      expect(started.status).toBe(201);
      let run: any;
      for (let i = 0; i < 300; i++) {
        run = (await get(`/runs/${started.body.id}`)).body;
        if (['succeeded', 'failed', 'cancelled'].includes(run.status)) break;
        await new Promise(r => setTimeout(r, 100));
      }
      const targets = await get(`/runs/${run.id}/targets`);
      // the targets' errors say why, should it not have succeeded
      expect({ status: run.status, targets: targets.body.items }).toEqual(
        expect.objectContaining({ status: 'succeeded' }),
      );
      const steps = Object.fromEntries(
        targets.body.items[0].steps.map((s: any) => [s.stepId, s]),
      );
      return { started, run, targets, steps };
    }

    it('renews a certificate 3 days from expiry into Vault, its key in no log, event, response or audit entry', async () => {
      const old = new X509Certificate(expiring.cert);
      const path = `${CERTS}kafka-staging-01`;
      const { started, run, targets, steps } = await runOn('kafka-staging-01');

      // the check found the expiring certificate
      expect(steps.check.status).toBe('succeeded');
      const check = steps.check.output;
      expect(check.certificates).toEqual([
        expect.objectContaining({
          endpoint: endpoint(expiringServer),
          subject: 'kafka-staging-01.fleetdeck.test',
          validTo: new Date(old.validTo).toISOString(),
        }),
      ]);
      expect(check.daysLeft).toBeGreaterThanOrEqual(2);
      expect(check.daysLeft).toBeLessThanOrEqual(3);
      expect(check.certificates[0].daysLeft).toBe(check.daysLeft);

      // the renewal says what it issued, and where it wrote it
      expect(steps.renew.status).toBe('succeeded');
      const renew = steps.renew.output;
      expect(renew).toEqual({
        renewed: true,
        path,
        version: 1,
        serialNumber: expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/),
        notAfter: expect.any(String),
        fingerprint256: expect.any(String),
        previousDaysLeft: check.daysLeft,
      });
      expect(Date.parse(renew.notAfter)).toBeGreaterThan(
        Date.parse(old.validTo),
      );

      // Vault's KV holds the new certificate and the key that matches it
      const stored = vault.secret(path);
      expect(stored?.version).toBe(1);
      const cert = new X509Certificate(String(stored!.data.certificate));
      expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.parse(old.validTo));
      expect(new Date(cert.validTo).toISOString()).toBe(renew.notAfter);
      expect(cert.serialNumber.toLowerCase()).toBe(
        renew.serialNumber.replace(/:/g, ''),
      );
      expect(cert.subject).toBe('CN=kafka-staging-01.fleetdeck.test');
      expect(cert.fingerprint256).toBe(renew.fingerprint256);
      const key = String(stored!.data.private_key);
      const privateKey = createPrivateKey(key);
      expect(createPublicKey(privateKey).equals(cert.publicKey)).toBe(true);
      expect(stored!.data.ca_chain).toBe(vault.caCertificate);

      // exactly one certificate issued, one KV write
      const issues = vault.requests.filter(r => r.path === PKI_ROLE);
      expect(issues.map(r => [r.method, r.status])).toEqual([['POST', 200]]);
      expect(vault.issued).toEqual([
        {
          serialNumber: renew.serialNumber,
          commonName: 'kafka-staging-01.fleetdeck.test',
        },
      ]);
      const writes = vault.requests.filter(r => r.path.startsWith(CERTS));
      expect(writes.map(r => [r.method, r.path, r.status])).toEqual([
        ['POST', path, 200],
      ]);

      // what the user reads: the stored log, every response, the stream
      const logs = await get(`/runs/${run.id}/logs?limit=1000`);
      const messages = logs.body.items.map((l: any) => l.message).join('\n');
      expect(messages).toMatch(
        /subject kafka-staging-01.fleetdeck.test.*\([23] days\).*less than 14 days left/,
      );
      expect(messages).toContain(
        `Renewed kafka-staging-01.fleetdeck.test (${check.daysLeft} days left, at most 14): serial ${renew.serialNumber}`,
      );
      const target = targets.body.items[0];
      const one = await get(`/runs/${run.id}/targets/${target.id}`);
      expect(one.body.steps[1].output).toEqual(renew);
      const list = await get(`/runs?runbookRef=${RUNBOOK}`);
      expect(list.body.items.map((r: any) => r.id)).toContain(run.id);
      const stream = await get(`/runs/${run.id}/stream`)
        .buffer(true)
        .parse(wholeText);
      expect(stream.body).toContain('event: log');
      expect(stream.body).toContain('Renewed kafka-staging-01.fleetdeck.test');
      expect(backend.auditEvents).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            eventId: 'run-start',
            status: 'succeeded',
          }),
        ]),
      );
      expect(backendLog.length).toBeGreaterThan(0);

      // the key in every form, each line of its PEM body, the Vault token
      const der = privateKey.export({ type: 'pkcs8', format: 'der' });
      const body = key.split('\n').filter(l => l && !l.startsWith('-----'));
      expect(body.length).toBeGreaterThan(10);
      const forbidden = [
        ...encodedForms(key),
        ...body,
        body.join(''),
        der.toString('hex'),
        der.toString('hex').toUpperCase(),
        ...encodedForms(token),
      ];
      expectNoSecretForms(
        {
          logs: JSON.stringify(logs.body),
          sse: stream.body as string,
          responses: JSON.stringify([
            started.body,
            run,
            targets.body,
            one.body,
            list.body,
          ]),
          audit: JSON.stringify(backend.auditEvents),
          backendLog: backendLog.join('\n'),
        },
        forbidden,
      );
    });

    it('does not renew a certificate with 200 days left', async () => {
      const { steps } = await runOn('kafka-staging-02');
      expect(steps.check.output.daysLeft).toBeGreaterThanOrEqual(198);
      expect(steps.renew.output).toEqual({
        renewed: false,
        daysLeft: steps.check.output.daysLeft,
      });
      expect(vault.requests).toEqual([]);
      expect(vault.secret(`${CERTS}kafka-staging-02`)).toBeUndefined();
    });
  });
});
