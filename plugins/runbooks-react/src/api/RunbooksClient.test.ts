import { RunbooksClient } from './RunbooksClient';

describe('RunbooksClient', () => {
  it("asks the server for a run's own log lines only", async () => {
    const fetch = jest.fn(
      async (_url: string | URL | Request, _init?: RequestInit) =>
        new Response(JSON.stringify({ items: [] }), {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const client = new RunbooksClient({
      discoveryApi: { getBaseUrl: async () => 'http://portal/api/runbooks' },
      fetchApi: { fetch },
    });
    await expect(
      client.listLogs('run-1', { scope: 'run', limit: 100 }),
    ).resolves.toEqual({ items: [] });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://portal/api/runbooks/runs/run-1/logs?scope=run&limit=100',
    );
  });

  it("reads the fleet's maintenance for one kind", async () => {
    const body = { lastSucceeded: {}, certificates: {} };
    const fetch = jest.fn(
      async (_url: string | URL | Request, _init?: RequestInit) =>
        new Response(JSON.stringify(body), {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const client = new RunbooksClient({
      discoveryApi: { getBaseUrl: async () => 'http://portal/api/runbooks' },
      fetchApi: { fetch },
    });
    await expect(
      client.getFleetMaintenance({ kind: 'cluster' }),
    ).resolves.toEqual(body);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://portal/api/runbooks/fleet/maintenance?kind=cluster',
    );
  });
});
