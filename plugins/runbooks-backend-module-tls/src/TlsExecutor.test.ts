import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer, Server } from 'tls';
import { TlsExecutor } from './TlsExecutor';

function certificate(dir: string, name: string, days: number) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.pem`),
      '-days',
      String(days),
      '-subj',
      `/CN=${name}.fleetdeck.test/O=Fleetdeck Test CA`,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, `${name}.key`)),
    cert: readFileSync(join(dir, `${name}.pem`)),
  };
}

async function serve(options: { key: Buffer; cert: Buffer }): Promise<Server> {
  const server = createServer(options, socket => socket.end());
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return server;
}

describe('TlsExecutor', () => {
  let dir: string;
  let healthy: Server;
  let expiring: Server;
  const lines: string[] = [];
  const port = (s: Server) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tls-test-'));
    healthy = await serve(certificate(dir, 'kafka-prod-01', 90));
    expiring = await serve(certificate(dir, 'kafka-prod-02', 5));
  });
  afterAll(() => {
    healthy.close();
    expiring.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (
    input: Record<string, unknown>,
    spec: Record<string, unknown> = {},
  ) => {
    lines.length = 0;
    return {
      input,
      target: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: 'kafka-prod-01' },
        spec,
      },
      signal: new AbortController().signal,
      logger: {
        info: (l: string) => lines.push(l),
        warn: (l: string) => lines.push(l),
        error: (l: string) => lines.push(l),
      },
    } as unknown as RunbookExecutorContext;
  };

  it("reports subject, issuer and days left of the target's endpoints", async () => {
    const result = await new TlsExecutor().execute(
      ctx(
        {},
        {
          endpoints: [
            `127.0.0.1:${port(healthy)}`,
            { url: `https://127.0.0.1:${port(healthy)}` },
          ],
        },
      ),
    );
    const certs = (result!.output as any).certificates;
    expect(certs).toHaveLength(2);
    expect(certs[0]).toMatchObject({
      subject: 'kafka-prod-01.fleetdeck.test',
      issuer: 'kafka-prod-01.fleetdeck.test',
      trusted: false,
    });
    expect(certs[0].daysLeft).toBeGreaterThanOrEqual(88);
    expect(certs[0].daysLeft).toBeLessThanOrEqual(90);
    expect(lines[0]).toMatch(
      /subject kafka-prod-01.fleetdeck.test.*\(8\d|90 days\)/,
    );
  });

  it('fails under the threshold, on untrusted chains when asked, and on closed ports', async () => {
    const executor = new TlsExecutor({ minDaysLeft: 14 });
    await expect(
      executor.execute(ctx({ endpoints: [`127.0.0.1:${port(expiring)}`] })),
    ).rejects.toThrow(/expires in [45] days/);
    await expect(
      executor.execute(
        ctx({
          endpoints: [`127.0.0.1:${port(healthy)}`],
          requireTrusted: true,
        }),
      ),
    ).rejects.toThrow(/is not trusted \(.*(SELF_SIGNED|self.signed)/i);
    const trusting = new TlsExecutor({
      ca: [readFileSync(join(dir, 'kafka-prod-01.pem'), 'utf8')],
    });
    await expect(
      trusting.execute(
        ctx({
          endpoints: [`127.0.0.1:${port(healthy)}`],
          requireTrusted: true,
        }),
      ),
    ).rejects.toThrow(/not trusted.*(ALTNAME|IP)/i);
    await expect(
      executor.execute(ctx({ endpoints: ['127.0.0.1:1'] })),
    ).rejects.toThrow(/ECONNREFUSED/);
    await expect(
      executor.execute(ctx({ endpoints: ['not an endpoint'] })),
    ).rejects.toThrow(/Not host:port/);
  });
});
