import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  nextCronRunAt,
  RunbookSummary,
} from '@fleetdeck/plugin-runbooks-common';
import {
  runbooksApiRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';
import { screen, within } from '@testing-library/react';
import { formatTime } from '../shared/format';
import { RunbooksPage } from './RunbooksPage';

const runbook = (
  name: string,
  schedule: RunbookSummary['schedule'],
): RunbookSummary => ({
  entityRef: `runbook:default/${name}`,
  name,
  owner: 'group:default/sre',
  targets: { kind: 'cluster' },
  steps: [{ id: 'backup', executor: 'ansible' }],
  concurrency: 1,
  schedule,
  dryRunSupported: false,
  trust: { trusted: true },
});

describe('RunbooksPage', () => {
  it('shows when each schedule runs next, in the browser when the server does not say', async () => {
    const items = [
      runbook('nightly-backup', { cron: '0 2 * * *' }),
      runbook('weekly-patch', {
        cron: '30 3 * * 1',
        nextRunAt: '2030-01-07T03:30:00.000Z',
      }),
      runbook('broken', { cron: 'every night' }),
    ];
    const api = {
      listRunbooks: async () => ({ items }),
      listRuns: async () => ({ items: [] }),
    };
    await renderInTestApp(
      // only the two calls the page makes
      <TestApiProvider apis={[[runbooksApiRef, api as any]]}>
        <RunbooksPage />
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/runbooks': runbooksRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    const rows = within(
      await screen.findByRole('table', { name: 'Scheduled runbooks' }),
    ).getAllByRole('row');
    const next = (row: HTMLElement) =>
      within(row).getAllByRole('cell').slice(-1)[0].textContent;
    expect(next(rows[1])).toBe(formatTime(nextCronRunAt('0 2 * * *')));
    expect(next(rows[1])).not.toBe('—');
    expect(next(rows[2])).toBe(formatTime('2030-01-07T03:30:00.000Z'));
    expect(next(rows[3])).toBe('—');
  });
});
