import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { listenLocal } from '@fleetdeck/backend-test-utils';
import { mkdtempSync, rmSync } from 'fs';
import { createServer, Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { connect } from 'tls';
import { startDemoServices } from './demoServices';

jest.setTimeout(60_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await listenLocal(server);
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

/** The certificate the endpoint serves. */
function served(port: number) {
  return new Promise<{ validTo: string; subject: string }>(
    (resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port, rejectUnauthorized: false },
        () => {
          const cert = socket.getPeerCertificate();
          socket.end();
          resolve({ validTo: cert.valid_to, subject: String(cert.subject.CN) });
        },
      );
      socket.on('error', reject);
    },
  );
}

describe('the demo stand-ins', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-services-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function config(ports: { awx: number; vault: number; tls: number }) {
    return new ConfigReader({
      fleetdeck: { demo: { services: { ports, dataDir } } },
      vault: {
        baseUrl: `http://127.0.0.1:${ports.vault}`,
        auth: { token: 'demo-vault-token-for-the-test' },
      },
      runbooks: {
        aap: { token: 'demo-awx-token-for-the-test' },
        vault: {
          writablePaths: ['secret/data/fleetdeck/certs/'],
          pkiRoles: ['pki/issue/fleetdeck-kafka'],
        },
        secrets: {
          kafkaAdminPassword: {
            value: 'vault:secret/data/fleetdeck/kafka#adminPassword',
            runbooks: ['runbook:default/kafka-broker-restart-aap'],
          },
        },
      },
    });
  }

  it('serves AWX job templates, a Vault holding the configured secrets, and an expiring certificate, on the configured ports', async () => {
    const ports = {
      awx: await freePort(),
      vault: await freePort(),
      tls: await freePort(),
    };
    const logger = mockServices.logger.mock();
    const stop = await startDemoServices(await config(ports), logger);
    try {
      const templates = await fetch(
        `http://127.0.0.1:${
          ports.awx
        }/api/v2/job_templates/?name=${encodeURIComponent(
          'Kafka broker rolling restart',
        )}`,
        { headers: { Authorization: 'Bearer demo-awx-token-for-the-test' } },
      );
      expect((await templates.json()).count).toBe(1);

      const vault = (path: string, init: RequestInit = {}) =>
        fetch(`http://127.0.0.1:${ports.vault}/v1/${path}`, {
          ...init,
          headers: { 'X-Vault-Token': 'demo-vault-token-for-the-test' },
        });
      const secret = await (await vault('secret/data/fleetdeck/kafka')).json();
      expect(secret.data.data.adminPassword).toMatch(/^demo-.{16}$/);
      const write = await vault('secret/data/fleetdeck/certs/kafka-1', {
        method: 'POST',
        body: JSON.stringify({ data: { certificate: 'x' } }),
      });
      expect(write.status).toBe(200);
      const elsewhere = await vault('secret/data/other', {
        method: 'POST',
        body: JSON.stringify({ data: { x: 1 } }),
      });
      expect(elsewhere.status).toBe(403);

      const cert = await served(ports.tls);
      expect(cert.subject).toBe('kafka-demo.fleetdeck.example');
      const daysLeft = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
      expect(daysLeft).toBeGreaterThan(4);
      expect(daysLeft).toBeLessThanOrEqual(5);
    } finally {
      await stop();
    }
    // every port is free again
    for (const port of Object.values(ports)) {
      const server = createServer();
      await listenLocal(server, port);
      await new Promise(r => server.close(r));
    }
  });

  it('skips a stand-in whose port is taken, with a warning naming it, and starts the rest', async () => {
    const taken: Server = createServer();
    await listenLocal(taken);
    const ports = {
      awx: (taken.address() as { port: number }).port,
      vault: await freePort(),
      tls: await freePort(),
    };
    const logger = mockServices.logger.mock();
    const stop = await startDemoServices(await config(ports), logger);
    try {
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          `Demo AWX not started: port ${ports.awx} is already in use`,
        ),
      );
      expect((await served(ports.tls)).subject).toBe(
        'kafka-demo.fleetdeck.example',
      );
    } finally {
      await stop();
      await new Promise(r => taken.close(r));
    }
  });
});
