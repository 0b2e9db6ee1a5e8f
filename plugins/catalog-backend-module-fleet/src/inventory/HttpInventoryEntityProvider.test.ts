import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { manualScheduler } from '../__testUtils__/manualScheduler';
import { catalogModuleFleet } from '../module';

jest.setTimeout(180_000);

/** The configured Authorization header, and the part of it that must never show. */
const SECRET = 'tok-9f8e7d6c5b4a3-never-shown';
const TOKEN = `Bearer ${SECRET}`;
/** Text only the inventory's body holds; it must not reach a log line or the status entity. */
const MARKER = 'BODYMARKER7Q2Z';
/** maxInventorySize of the provider under test (8 MiB). */
const LIMIT = 8 * 1024 ** 2;

/** Every message and meta the backend logs, errors with their message, stack and cause. */
const logLines: string[] = [];
const serialize = (value: unknown) =>
  JSON.stringify(value, (_key, v) =>
    v instanceof Error
      ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause }
      : v,
  );
function capturingLogger(meta: object = {}): LoggerService {
  const log = (level: string) => (message: string, extra?: unknown) => {
    logLines.push(`${level} ${message} ${serialize(meta)} ${serialize(extra)}`);
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: m => capturingLogger({ ...meta, ...m }),
  };
}
const loggerFactory = createServiceFactory({
  service: coreServices.logger,
  deps: {},
  factory: () => capturingLogger(),
});

const { factory: schedulerFactory, tasks } = manualScheduler();
const refresh = () => tasks.get('fleet-http-inventory:cmdb:refresh')!();

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local HTTP server that records every request it receives. */
async function recordingServer(handler: () => Handler) {
  const seen: Array<{ url: string; host: string; authorization?: string }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      host: req.headers.host ?? '',
      authorization: req.headers.authorization,
    });
    handler()(req, res);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, seen, port, origin: `http://127.0.0.1:${port}` };
}

const json =
  (doc: unknown): Handler =>
  (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(doc));
  };

const record = (id: string, version: string, extra: object = {}) => ({
  id,
  type: 'postgresql',
  release: version,
  env: 'production',
  team: 'sre',
  hosts: [{ fqdn: `${id}-1.example` }],
  ...extra,
});
const goodDoc = (version = '16.2') => ({
  items: [record('pg-core-prod', version), record('pg-ledger-prod', '15.6')],
});

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'HttpInventoryEntityProvider on %s',
  databaseId => {
    let cmdb: Awaited<ReturnType<typeof recordingServer>>;
    let elsewhere: Awaited<ReturnType<typeof recordingServer>>;
    let reply: Handler;
    let server: Parameters<typeof request>[0];
    let stop: () => Promise<void>;

    const get = (path: string) =>
      request(server)
        .get(path)
        .set('Authorization', mockCredentials.user.header());

    async function eventually<T>(
      what: string,
      probe: () => Promise<T | undefined>,
    ): Promise<T> {
      let last: unknown;
      for (let i = 0; i < 240; i++) {
        try {
          const value = await probe();
          if (value !== undefined) return value;
        } catch (e) {
          last = e;
        }
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(
        `timed out waiting for ${what}${last ? `: ${last}` : ''}`,
      );
    }

    const entity = async (kind: string, name: string) => {
      const res = await get(
        `/api/catalog/entities/by-name/${kind}/default/${name}`,
      );
      return res.status === 200 ? res.body : undefined;
    };
    const clusterNames = async () => {
      const res = await get(
        '/api/catalog/entities/by-query?filter=kind=cluster&fields=metadata.name&limit=500',
      );
      return (res.body.items as any[]).map(e => e.metadata.name).sort();
    };

    beforeAll(async () => {
      reply = json(goodDoc());
      cmdb = await recordingServer(() => (req, res) => {
        if (req.headers.authorization !== TOKEN) {
          res.statusCode = 401;
          res.end();
          return;
        }
        reply(req, res);
      });
      elsewhere = await recordingServer(() => (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(goodDoc('99.9')));
      });
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          catalogPlugin,
          catalogModuleFleet,
          loggerFactory,
          schedulerFactory,
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [{ allow: ['Location', 'Cluster'] }],
                providers: {
                  fleet: {
                    http: {
                      cmdb: {
                        url: `${cmdb.origin}/api/clusters?page=all`,
                        headers: { Authorization: TOKEN },
                        timeoutSeconds: 60,
                        maxInventorySize: LIMIT,
                        fields: {
                          name: 'id',
                          engine: 'type',
                          version: 'release',
                          environment: 'env',
                          owner: 'team',
                          nodes: 'hosts',
                        },
                        nodeField: 'fqdn',
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();
      await refresh();
      await eventually('the first two clusters', async () =>
        (await clusterNames()).length === 2 ? true : undefined,
      );
    });

    afterAll(async () => {
      await stop?.();
      cmdb?.server.closeAllConnections();
      cmdb?.server.close();
      elsewhere?.server.close();
    });

    beforeEach(() => {
      reply = json(goodDoc());
      cmdb.seen.length = 0;
      elsewhere.seen.length = 0;
    });

    /**
     * The status entity as any catalog reader sees it, once it shows the
     * expected message: a failed refresh as a processing error (the catalog
     * keeps the entity's last good version, so only its status changes), a
     * refresh with warnings in the message annotation.
     */
    const statusEntityMatching = (expected: RegExp) =>
      eventually(`the status entity saying ${expected}`, async () => {
        const e = await entity('location', 'fleet-inventory-http-cmdb');
        const errors = ((e?.status?.items ?? []) as any[]).map(
          i => i.error.message as string,
        );
        const message =
          e?.metadata.annotations?.['fleetdeck.io/inventory-message'] ?? '';
        return [message, ...errors].some(m => expected.test(m)) ? e : undefined;
      });
    const expectPreviousClusters = async () => {
      expect(await clusterNames()).toEqual(['pg-core-prod', 'pg-ledger-prod']);
      const pg = await entity('cluster', 'pg-core-prod');
      expect(pg.spec.version).toBe('16.2');
    };
    const expectNoLeak = (...texts: string[]) => {
      for (const text of [SECRET, MARKER, ...texts]) {
        const leaked = logLines.filter(l =>
          l.toLowerCase().includes(text.toLowerCase()),
        );
        expect(leaked).toEqual([]);
      }
    };

    it.each([
      [
        'another port, with userinfo and a query',
        () => `http://admin:hunter2@127.0.0.1:${elsewhere.port}/steal?token=q`,
        () => elsewhere.origin,
      ],
      [
        'another host name on the same port',
        () => `http://localhost:${cmdb.port}/api/clusters`,
        () => `http://localhost:${cmdb.port}`,
      ],
    ])(
      'refuses a 302 to %s: the reason shows, the other origin sees no request, the clusters stay',
      async (_what, target, targetOrigin) => {
        reply = (_req, res) => {
          res.writeHead(302, { location: target() });
          res.end(`moved ${MARKER}`);
        };
        await refresh();
        const status = await statusEntityMatching(
          new RegExp(`redirected \\(HTTP 302\\) from .* to ${targetOrigin()}`),
        );
        const text = JSON.stringify(status);
        expect(text).toContain(
          `from ${cmdb.origin} to ${targetOrigin()}, another origin: refused`,
        );
        for (const hidden of ['hunter2', 'admin', 'steal', 'token=q', SECRET])
          expect(text).not.toContain(hidden);
        expect(
          logLines.some(
            l =>
              l.startsWith('error') &&
              l.includes(`to ${targetOrigin()}, another origin: refused`),
          ),
        ).toBe(true);
        expect(elsewhere.seen).toEqual([]);
        expect(cmdb.seen.map(s => s.host)).toEqual([`127.0.0.1:${cmdb.port}`]);
        expectNoLeak('hunter2', 'token=q');
        await expectPreviousClusters();
      },
    );

    it('follows redirects within its origin, sending the headers there', async () => {
      reply = (req, res) => {
        if (req.url === '/api/clusters?page=all') {
          res.writeHead(302, { location: '/v2/clusters' });
          res.end();
        } else if (req.url === '/v2/clusters') {
          res.writeHead(307, { location: `${cmdb.origin}/v3/clusters` });
          res.end();
        } else json(goodDoc('16.3'))(req, res);
      };
      await refresh();
      await eventually('the version from the redirected answer', async () =>
        (await entity('cluster', 'pg-core-prod'))?.spec.version === '16.3'
          ? true
          : undefined,
      );
      expect(cmdb.seen).toEqual([
        expect.objectContaining({ url: '/api/clusters?page=all' }),
        {
          url: '/v2/clusters',
          host: `127.0.0.1:${cmdb.port}`,
          authorization: TOKEN,
        },
        {
          url: '/v3/clusters',
          host: `127.0.0.1:${cmdb.port}`,
          authorization: TOKEN,
        },
      ]);
      // back to the baseline for the tests that follow
      reply = json(goodDoc());
      await refresh();
      await eventually('the baseline version', async () =>
        (await entity('cluster', 'pg-core-prod'))?.spec.version === '16.2'
          ? true
          : undefined,
      );
    });

    it('gives up after 5 redirects within its origin', async () => {
      reply = (req, res) => {
        const n = Number(
          new URL(req.url!, cmdb.origin).searchParams.get('n') ?? 0,
        );
        res.writeHead(302, { location: `/loop?n=${n + 1}` });
        res.end();
      };
      await refresh();
      await statusEntityMatching(/redirected more than 5 times/);
      expect(cmdb.seen).toHaveLength(6);
      await expectPreviousClusters();
    });

    it('stops a chunked 1 GB body at maxInventorySize while streaming, with little memory and an early close', async () => {
      const total = 1024 ** 3;
      const chunk = Buffer.alloc(64 * 1024, ' ');
      let sent = 0;
      let closed!: (bytes: number) => void;
      const closedAfter = new Promise<number>(r => {
        closed = r;
      });
      reply = (_req, res) => {
        // no content-length: chunked; generated lazily, as fast as the client reads
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items": [');
        res.on('close', () => closed(sent));
        const pump = () => {
          while (sent < total && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end(']}');
        };
        pump();
      };
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 2);
      const started = Date.now();
      try {
        await refresh();
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      const ms = Date.now() - started;
      const bytesAtClose = await Promise.race([
        closedAfter,
        new Promise<number>((_, reject) =>
          setTimeout(
            () =>
              reject(new Error('the server never saw the connection close')),
            5000,
          ),
        ),
      ]);
      const growthMb = (peak - before) / 1024 ** 2;
      // eslint-disable-next-line no-console
      console.info(
        `1 GB chunked body on ${databaseId}: stopped after ${ms} ms; the server had sent ${(
          bytesAtClose /
          1024 ** 2
        ).toFixed(
          1,
        )} MB when the connection closed; peak RSS growth ${growthMb.toFixed(
          1,
        )} MB`,
      );
      expect(bytesAtClose).toBeLessThan(64 * 1024 ** 2);
      expect(growthMb).toBeLessThan(50);
      const status = await statusEntityMatching(
        new RegExp(
          `sent more than the limit of ${LIMIT} bytes \\(catalog\\.providers\\.fleet\\.http\\.cmdb\\.maxInventorySize\\); the request was aborted`,
        ),
      );
      expect(status.status.items[0].level).toBe('error');
      await expectPreviousClusters();
    });

    it.each<[string, Handler, RegExp]>([
      [
        'malformed JSON holding the token and a marker',
        (_req, res) => {
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.end(
            `{"items": [{"id": "${TOKEN}", "note": "${MARKER}"}, oops ${MARKER} ${TOKEN}`,
          );
        },
        /answered \d+ bytes of application\/json that are not valid JSON/,
      ],
      [
        'an HTML error page echoing the token',
        (_req, res) => {
          res.setHeader('content-type', 'text/html');
          res.end(
            `<html><body>${MARKER}: invalid token ${TOKEN}</body></html>`,
          );
        },
        /answered \d+ bytes of text\/html instead of JSON \(an HTML page/,
      ],
      [
        'plain text with the token in the content-type parameters',
        (_req, res) => {
          res.setHeader('content-type', `text/plain; x="${MARKER} ${SECRET}"`);
          res.end(`${MARKER} ${TOKEN}`);
        },
        /answered \d+ bytes of text\/plain instead of JSON\./,
      ],
      [
        'a body that is not UTF-8',
        (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(
            Buffer.concat([
              Buffer.from(`{"items": ["${MARKER} ${TOKEN}`),
              Buffer.from([0xff, 0xfe]),
              Buffer.from('"]}'),
            ]),
          );
        },
        /answered \d+ bytes of application\/json that are not UTF-8 text/,
      ],
      [
        'JSON whose items are an object keyed by the token',
        (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ items: { [TOKEN]: MARKER } }));
        },
        /expected an array of clusters at 'items', found an object/,
      ],
      [
        'JSON without the items path',
        (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: [TOKEN, MARKER] }));
        },
        /expected an array of clusters at 'items', found nothing/,
      ],
      [
        'a 500 whose reason phrase and body carry the token',
        (_req, res) => {
          res.statusCode = 500;
          res.statusMessage = `${MARKER} ${SECRET}`;
          res.end(`${MARKER} ${TOKEN}`);
        },
        /answered HTTP 500 Internal Server Error\./,
      ],
    ])(
      'keeps the clusters through %s, and quotes none of it in logs or status',
      async (_what, handler, expected) => {
        reply = handler;
        await refresh();
        const status = await statusEntityMatching(expected);
        const text = JSON.stringify(status);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(MARKER);
        expectNoLeak();
        await expectPreviousClusters();
      },
    );

    it('names invalid records and fields by item, cluster and field, never by value', async () => {
      reply = json({
        items: [
          record('pg-core-prod', '16.9', {
            labels: { tier: 'gold', team: `${MARKER} ${TOKEN}` },
            annotations: { [`${MARKER} ${SECRET}`]: 'x' },
            tags: ['db', `${MARKER}.${SECRET}`],
          }),
          record('pg-ledger-prod', '15.7'),
          `${TOKEN} ${MARKER}`,
          { id: { token: TOKEN }, note: MARKER },
          { id: '!!! ---', token: TOKEN, note: MARKER },
        ],
      });
      await refresh();
      const status = await statusEntityMatching(/2 clusters from .* problems/);
      const message: string =
        status.metadata.annotations['fleetdeck.io/inventory-message'];
      expect(status.metadata.annotations['fleetdeck.io/inventory-status']).toBe(
        'warnings',
      );
      const clusterProblems = [
        'labels.team: not a valid label value',
        'annotations: the key of entry 1 is not a valid annotation key',
        'tags.1: not a valid tag',
      ];
      for (const problem of [
        ...clusterProblems.map(p => `item 0 (cluster pg-core-prod): ${p}`),
        'item 2 (a string, not an object): no usable cluster name; skipped',
        "item 3 (no text in 'id'): no usable cluster name; skipped",
        "item 4 (no letter or digit in 'id'): no usable cluster name; skipped",
      ])
        expect(message).toContain(problem);
      // the flawed record shows its problems on the cluster, which keeps its
      // last good version; the sound one is updated
      const pg = await eventually('the problems on the cluster', async () => {
        const e = await entity('cluster', 'pg-core-prod');
        return e?.status?.items?.length === 3 ? e : undefined;
      });
      expect(pg.status.items.map((i: any) => i.error.message)).toEqual(
        clusterProblems.map(p => `Cluster cluster:default/pg-core-prod: ${p}`),
      );
      expect(pg.spec.version).toBe('16.2');
      await eventually('the sound record applied', async () =>
        (await entity('cluster', 'pg-ledger-prod'))?.spec.version === '15.7'
          ? true
          : undefined,
      );
      for (const shown of [status, pg]) {
        const text = JSON.stringify(shown).toLowerCase();
        expect(text).not.toContain(SECRET.toLowerCase());
        expect(text).not.toContain(MARKER.toLowerCase());
      }
      expectNoLeak();
      expect(await clusterNames()).toEqual(['pg-core-prod', 'pg-ledger-prod']);
    });
  },
);
