import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  runbooksApiRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeRun } from '../RunPage/testData';
import { requesterRef, RunsTable } from './RunsTable';

const runs = [
  makeRun({ id: 'run-1', status: 'succeeded', total: 3 }),
  makeRun({
    id: 'run-2',
    runbookRef: 'runbook:default/nightly-backup',
    runbookTitle: 'Nightly backup',
    requestedBy: 'schedule:runbook:default/nightly-backup',
    schedule: '0 2 * * *',
    status: 'failed',
    total: 4,
    counts: { ...makeRun().counts, succeeded: 3, failed: 1, running: 0 },
  }),
];

function renderTable() {
  const listRuns = jest.fn(async (query: { requestedBy?: string }) => ({
    items: runs.filter(
      r => !query.requestedBy || r.requestedBy === query.requestedBy,
    ),
  }));
  return {
    listRuns,
    rendered: renderInTestApp(
      <TestApiProvider apis={[[runbooksApiRef, { listRuns } as any]]}>
        <RunsTable runbooks={[]} />
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/runbooks': runbooksRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    ),
  };
}

describe('RunsTable', () => {
  it('names who started each run: a person links to their page, a schedule says so', async () => {
    const { rendered } = renderTable();
    await rendered;
    const rows = within(
      screen.getByRole('table', { name: 'Recent runs' }),
    ).getAllByRole('row');
    // header + two runs
    expect(rows).toHaveLength(3);
    const person = within(rows[1]).getByRole('link', { name: 'jonas.weber' });
    expect(person).toHaveAttribute('href', '/catalog/default/user/jonas.weber');
    expect(within(rows[1]).getByText('Succeeded')).toBeInTheDocument();
    expect(within(rows[2]).getByText('schedule')).toBeInTheDocument();
    expect(within(rows[2]).getByText('3/4, 1 failed')).toBeInTheDocument();
    expect(
      within(rows[2]).queryByRole('link', { name: /nightly-backup$/ }),
    ).not.toBeInTheDocument();
  });

  it('takes a bare user name as that user in the default namespace', async () => {
    const { rendered, listRuns } = renderTable();
    await rendered;
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Requester' }),
      ' Jonas.Weber {Enter}',
    );
    expect(await screen.findAllByRole('row')).toHaveLength(2);
    expect(listRuns).toHaveBeenLastCalledWith({
      requestedBy: 'user:default/jonas.weber',
      limit: 25,
    });
    expect(requesterRef('')).toBeUndefined();
    expect(requesterRef('ops/amelie')).toBe('user:ops/amelie');
    expect(requesterRef('group:default/sre')).toBe('group:default/sre');
  });

  it('lists the runs of one requester when asked', async () => {
    const { rendered, listRuns } = renderTable();
    await rendered;
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Requester' }),
      'schedule:runbook:default/nightly-backup{Enter}',
    );
    expect(await screen.findAllByRole('row')).toHaveLength(2);
    expect(listRuns).toHaveBeenLastCalledWith({
      requestedBy: 'schedule:runbook:default/nightly-backup',
      limit: 25,
    });
    expect(screen.getByText('Nightly backup')).toBeInTheDocument();
  });

  it('keeps the runs loaded and says why when older runs fail to load, then loads them on a retry', async () => {
    const older = makeRun({ id: 'run-3', runbookTitle: 'Certificate check' });
    const listRuns = jest
      .fn()
      .mockResolvedValueOnce({ items: runs, nextCursor: 'page-2' })
      .mockRejectedValueOnce(new Error('Malformed cursor'))
      .mockResolvedValueOnce({ items: [older] });
    await renderInTestApp(
      <TestApiProvider apis={[[runbooksApiRef, { listRuns } as any]]}>
        <RunsTable runbooks={[]} />
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/runbooks': runbooksRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    const table = screen.getByRole('table', { name: 'Recent runs' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);

    await userEvent.click(screen.getByRole('button', { name: 'Older runs' }));
    expect(
      await screen.findByText('Could not load older runs: Malformed cursor'),
    ).toBeInTheDocument();
    // the two runs already shown stay
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(listRuns).toHaveBeenLastCalledWith({ limit: 25, cursor: 'page-2' });

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await within(table).findByText('Certificate check'),
    ).toBeInTheDocument();
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(
      screen.queryByText(/Could not load older runs/),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Older runs|Try again/ }),
    ).not.toBeInTheDocument();
  });
});
