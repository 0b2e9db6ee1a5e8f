import { ResponseError } from '@backstage/errors';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  runbooksApiRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { Route, Routes } from 'react-router-dom';
import { RunPage } from './RunPage';
import { makeRun, makeTarget, mockRunbooksApi } from './testData';

async function renderRunPage(api: ReturnType<typeof mockRunbooksApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [runbooksApiRef, api],
        [permissionApiRef, mockApis.permission()],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/jonas.weber',
            ownershipEntityRefs: ['user:default/jonas.weber'],
          }),
        ],
      ]}
    >
      <Routes>
        <Route path="/runbooks/runs/:id" element={<RunPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: ['/runbooks/runs/run-1'],
      mountedRoutes: {
        '/runbooks': runbooksRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('RunPage', () => {
  it('shows the run header, progress and the targets with their status', async () => {
    const run = makeRun({
      status: 'failed',
      finishedAt: '2026-11-21T10:02:00Z',
      counts: { ...makeRun().counts, running: 0, succeeded: 2 },
    });
    const api = mockRunbooksApi(run, [
      makeTarget('kafka-dev-1', 'succeeded'),
      makeTarget('kafka-dev-2', 'succeeded'),
      makeTarget('kafka-dev-3', 'failed', {
        error: 'broker 2 did not restart',
      }),
    ]);
    await renderRunPage(api);

    expect(
      await screen.findByRole('heading', { name: 'Kafka rolling patch' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('run-progress')).toHaveTextContent(
      '3 of 3 done · 2 succeeded · 1 failed',
    );
    // Secrets arrive masked from the server and are shown as such.
    expect(screen.getByText(/adminPassword = \*\*\*/)).toBeInTheDocument();

    const table = screen.getByRole('table', { name: 'Targets' });
    const failedRow = within(table).getByTestId(
      'target-cluster:default/kafka-dev-3',
    );
    expect(within(failedRow).getByText('Failed')).toBeInTheDocument();
    expect(within(failedRow).getByText('1m 5s')).toBeInTheDocument();
    expect(within(table).getAllByText('Succeeded')).toHaveLength(2);

    // The first target is selected: its steps and its log.
    expect(
      await screen.findByText('PLAY RECAP ok=3 changed=1 failed=0'),
    ).toBeInTheDocument();

    // Filtering by status asks the server for that state only.
    await userEvent.click(screen.getByRole('button', { name: 'Failed 1' }));
    await waitFor(() =>
      expect(api.listTargets).toHaveBeenLastCalledWith('run-1', {
        status: ['failed'],
        offset: 0,
        limit: 50,
      }),
    );
    await waitFor(() =>
      expect(within(table).queryAllByText('Succeeded')).toHaveLength(0),
    );
  });

  it('says a schedule started a scheduled run, and links people who start runs', async () => {
    const api = mockRunbooksApi(
      makeRun({
        requestedBy: 'schedule:runbook:default/kafka-rolling-patch',
        schedule: '0 2 * * *',
      }),
      [makeTarget('kafka-dev-1', 'running')],
    );
    const { unmount } = await renderRunPage(api);
    expect(
      await screen.findByText(/started by its schedule \(0 2 \* \* \*\)/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/requested by/)).not.toBeInTheDocument();
    unmount();

    await renderRunPage(
      mockRunbooksApi(makeRun(), [makeTarget('kafka-dev-1', 'running')]),
    );
    expect(await screen.findByText(/requested by/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'jonas.weber' })).toHaveAttribute(
      'href',
      '/catalog/default/user/jonas.weber',
    );
  });

  it("shows the run's own log lines, such as the targets a schedule left out, above the targets", async () => {
    const leftOut =
      'The schedule acts for group:default/sre and leaves out 3 of 13 matching targets owned by others: cluster:default/pg-payments-01, cluster:default/pg-payments-02, cluster:default/pg-cards-01';
    const api = mockRunbooksApi(
      makeRun({
        requestedBy: 'schedule:runbook:default/nightly-backup',
        schedule: '0 2 * * *',
      }),
      [makeTarget('pg-prod-01', 'running')],
      [
        {
          id: 1,
          runId: 'run-1',
          level: 'warn',
          message: leftOut,
          createdAt: '2026-11-21T02:00:01Z',
        },
      ],
    );
    await renderRunPage(api);

    const runLog = await screen.findByRole('region', { name: 'Run log' });
    expect(within(runLog).getByText(leftOut)).toBeInTheDocument();
    // the server is asked for the run's own lines only, not every target's
    expect(api.listLogs).toHaveBeenCalledWith('run-1', {
      scope: 'run',
      limit: 100,
    });
    // it comes before the targets, and the target's own log stays its own
    const targets = screen.getByRole('table', { name: 'Targets' });
    expect(
      runLog.compareDocumentPosition(targets) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      await screen.findByText('PLAY RECAP ok=3 changed=1 failed=0'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('log', { name: 'Target log' })).queryByText(
        leftOut,
      ),
    ).not.toBeInTheDocument();
  });

  it('shows no run log for a run without lines of its own', async () => {
    await renderRunPage(
      mockRunbooksApi(makeRun(), [makeTarget('kafka-dev-1', 'running')]),
    );
    expect(
      await screen.findByText('PLAY RECAP ok=3 changed=1 failed=0'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Run log' }),
    ).not.toBeInTheDocument();
  });

  it('names the approver groups, linked, while targets wait for them', async () => {
    const run = makeRun({
      status: 'awaiting_approval',
      approvers: ['group:default/sre', 'group:default/dba'],
      counts: { ...makeRun().counts, running: 0, awaiting_approval: 1 },
    });
    await renderRunPage(
      mockRunbooksApi(run, [makeTarget('kafka-prod-1', 'awaiting_approval')]),
    );
    expect(await screen.findByText(/^Approvers:/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'sre' })).toHaveAttribute(
      'href',
      '/catalog/default/group/sre',
    );
    expect(screen.getByRole('link', { name: 'dba' })).toHaveAttribute(
      'href',
      '/catalog/default/group/dba',
    );
  });

  it('shows the commit the run pinned its runbook at', async () => {
    const run = makeRun({
      definition: {
        digest: `sha256:${'ab'.repeat(32)}`,
        commit: '3f2c1d9e8b7a65432100fedcba9876543210abcd',
        source: 'https://git.example/ops/runbooks/-/blob/main/kafka/',
      },
    });
    await renderRunPage(mockRunbooksApi(run, []));
    expect(
      await screen.findByText(
        'Pinned definition: commit 3f2c1d9e8b7a · sha256:abababababab',
      ),
    ).toBeInTheDocument();
  });

  it('shows a not-found panel for a run id that does not exist', async () => {
    const api = mockRunbooksApi(makeRun(), []);
    api.getRun.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'NotFoundError', message: 'No run nope' },
          }),
          {
            status: 404,
            statusText: 'Not Found',
            headers: { 'Content-Type': 'application/json' },
          },
        ) as any,
      ),
    );
    await renderRunPage(api);
    expect(await screen.findByText(/Run not found/)).toBeInTheDocument();
  });

  it('says so when the selected target cannot be loaded, and keeps the page', async () => {
    const api = mockRunbooksApi(makeRun(), [
      makeTarget('kafka-dev-1', 'running'),
    ]);
    api.getTarget.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message:
                'You may not read runs of runbook:default/kafka-rolling-patch',
            },
          }),
          {
            status: 403,
            statusText: 'Forbidden',
            headers: { 'Content-Type': 'application/json' },
          },
        ) as any,
      ),
    );
    await renderRunPage(api);
    expect(
      await screen.findByText(
        /Could not load the target: .*You may not read runs of runbook:default\/kafka-rolling-patch/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Kafka rolling patch' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Targets' })).toBeInTheDocument();
  });

  it("shows the server's error when the run fails to load for another reason than not found", async () => {
    const api = mockRunbooksApi(makeRun(), []);
    api.getRun.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'Error', message: 'database is down' },
          }),
          {
            status: 500,
            statusText: 'Internal Server Error',
            headers: { 'Content-Type': 'application/json' },
          },
        ) as any,
      ),
    );
    await renderRunPage(api);
    expect(
      await screen.findByText(/Could not load the run/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is down/).length).toBeGreaterThan(0);
    expect(screen.queryByText(/Run not found/)).not.toBeInTheDocument();
  });
});
