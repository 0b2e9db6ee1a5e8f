import { ResponseError } from '@backstage/errors';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { runbooksApiRef } from '@fleetdeck/plugin-runbooks-react';
import { screen, waitFor } from '@testing-library/react';
import { RunLogPanel } from './RunLogPanel';
import { makeRun, mockRunbooksApi } from './testData';

const failure = (status: number, name: string, message: string) =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      {
        status,
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );

async function renderPanel(api: ReturnType<typeof mockRunbooksApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[runbooksApiRef, api]]}>
      <p>Run header</p>
      <RunLogPanel runId="run-1" status="running" />
    </TestApiProvider>,
  );
  await waitFor(() => expect(api.listLogs).toHaveBeenCalled());
}

describe('RunLogPanel', () => {
  it("stays out of the way when the server cannot list a run's own lines", async () => {
    const api = mockRunbooksApi(makeRun(), []);
    api.listLogs.mockRejectedValue(
      await failure(501, 'NotImplementedError', 'not supported yet'),
    );
    await renderPanel(api);
    expect(await screen.findByText('Run header')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Run log' })).toBeNull();
    expect(screen.queryByText(/Could not load/)).toBeNull();
  });

  it('says so when the lines cannot be loaded', async () => {
    const api = mockRunbooksApi(makeRun(), []);
    api.listLogs.mockRejectedValue(
      await failure(503, 'ServiceUnavailableError', 'database is restarting'),
    );
    await renderPanel(api);
    expect(
      await screen.findByText(
        "Could not load the run's own log lines: database is restarting",
      ),
    ).toBeInTheDocument();
  });
});
