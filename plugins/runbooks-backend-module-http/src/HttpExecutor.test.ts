import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { HttpExecutor, isHostAllowed } from './HttpExecutor';

describe('HttpExecutor', () => {
  let server: Server;
  let base: string;
  const received: {
    method?: string;
    url?: string;
    body: string;
    key?: string;
  }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          body,
          key: req.headers['idempotency-key'] as string,
        });
        if (req.url === '/same') {
          res.writeHead(302, { location: '/ok' }).end();
        } else if (req.url === '/elsewhere') {
          res
            .writeHead(302, {
              location: 'http://169.254.169.254/latest/meta-data',
            })
            .end();
        } else if (req.url === '/fail') {
          res.writeHead(503).end('down for maintenance');
        } else {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ healthy: true }));
        }
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const executor = new HttpExecutor({
    allowedHosts: ['127.0.0.1', '*.fleetdeck.test'],
  });
  const ctx = (input: Record<string, unknown>, dryRun = false) =>
    ({
      input,
      dryRun,
      idempotencyKey: 'run/target/step',
      signal: new AbortController().signal,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    } as unknown as RunbookExecutorContext);

  it('calls allowed hosts, follows same-host redirects and returns JSON', async () => {
    const result = await executor.execute(ctx({ url: `${base}/same` }));
    expect(result!.output).toMatchObject({
      status: 200,
      url: `${base}/ok`,
      json: { healthy: true },
    });
    await executor.execute(
      ctx({ url: `${base}/drain`, method: 'POST', body: { broker: 1 } }),
    );
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"broker":1}',
      key: 'run/target/step',
    });
  });

  it('refuses other hosts, cross-host redirects and unexpected statuses', async () => {
    await expect(
      executor.execute(ctx({ url: 'http://169.254.169.254/latest/meta-data' })),
    ).rejects.toThrow(/not in runbooks.http.allowedHosts/);
    await expect(
      executor.execute(ctx({ url: `${base}/elsewhere` })),
    ).rejects.toThrow(/Refused redirect from 127.0.0.1:\d+ to 169.254.169.254/);
    await expect(
      executor.execute(ctx({ url: `${base}/fail` })),
    ).rejects.toThrow(/Got 503, expected 2xx: down for maintenance/);
    await expect(
      executor.execute(ctx({ url: `${base}/fail`, expectedStatus: [503] })),
    ).resolves.toBeDefined();
    await expect(
      executor.execute(ctx({ url: 'file:///etc/passwd' })),
    ).rejects.toThrow(/not allowed/);
  });

  it('sends nothing but GET in a dry run', async () => {
    const before = received.length;
    const result = await executor.execute(
      ctx({ url: `${base}/drain`, method: 'DELETE' }, true),
    );
    expect(result!.output).toMatchObject({ dryRun: true, method: 'DELETE' });
    expect(received.length).toBe(before);
  });

  it('matches allow-list entries exactly or by subdomain', () => {
    expect(isHostAllowed('kafka.fleetdeck.test', ['*.fleetdeck.test'])).toBe(
      true,
    );
    expect(isHostAllowed('evilfleetdeck.test', ['*.fleetdeck.test'])).toBe(
      false,
    );
    expect(isHostAllowed('fleetdeck.test.evil.com', ['*.fleetdeck.test'])).toBe(
      false,
    );
    expect(isHostAllowed('LOCALHOST', ['localhost'])).toBe(true);
  });
});
