import { ResponseError } from '@backstage/errors';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { changesApiRef } from '../../api/ChangesApi';
import { makeChange, mockChangesApi, mountedRoutes } from '../../testUtils';
import { ChangePage } from './ChangePage';

async function renderPage(api = mockChangesApi(), pollMs?: number) {
  await renderInTestApp(
    <TestApiProvider apis={[[changesApiRef, api]]}>
      <Routes>
        <Route path="/changes/:id" element={<ChangePage pollMs={pollMs} />} />
      </Routes>
    </TestApiProvider>,
    { routeEntries: ['/changes/c1'], mountedRoutes },
  );
  return api;
}

const confirm = async (label: string) => {
  await userEvent.click(screen.getByRole('button', { name: label }));
  await userEvent.click(
    within(screen.getByRole('dialog')).getByRole('button', { name: label }),
  );
  await waitFor(() =>
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
  );
};

// journeys through MUI dialogs take seconds in jsdom; leave room on a busy CI
jest.setTimeout(15_000);

describe('ChangePage', () => {
  it('shows the counts as a picture first, then a row per repository', async () => {
    const api = mockChangesApi();
    api.getChange.mockResolvedValue(makeChange({ state: 'ready' }));
    await renderPage(api);

    expect(
      await screen.findByRole('heading', { name: 'Move to Node 20' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Ready to apply')).toBeInTheDocument();
    expect(screen.getByTestId('legend-merged')).toHaveTextContent('Merged 1');
    expect(screen.getByTestId('legend-pr_open')).toHaveTextContent('PR open 1');
    expect(screen.getByTestId('legend-failed')).toHaveTextContent('Failed 1');
    expect(screen.getByTestId('counts-bar')).toHaveAccessibleName(
      '1 merged, 1 pr open, 1 failed, 1 previewed, 1 no change',
    );
    expect(screen.getByTestId('counts-segment-merged')).toHaveStyle({
      backgroundColor: '#8250df',
      width: '20%',
    });
    expect(screen.getByText('Node 16 is out of support.')).toBeInTheDocument();

    const rows = screen.getAllByTestId('repository-row');
    expect(rows).toHaveLength(5);
    expect(within(rows[0]).getByText('Merged')).toBeInTheDocument();
    expect(within(rows[0]).getByRole('link', { name: /#41/ })).toHaveAttribute(
      'href',
      'https://git.example/payments-api/pull/41',
    );
    expect(within(rows[0]).getByText('1 file')).toBeInTheDocument();
    expect(within(rows[1]).getByTestId('checks')).toHaveAttribute(
      'data-checks',
      'failing',
    );
    expect(
      screen.getByText('push rejected: protected branch (after 3 attempts)'),
    ).toBeInTheDocument();
    // no diff to show where nothing changes
    expect(
      within(rows[4]).queryByRole('button', { name: /Show the diff/ }),
    ).not.toBeInTheDocument();
  });

  it('expands a row to its exact diff, + and - lines marked', async () => {
    const api = mockChangesApi();
    api.getChange.mockResolvedValue(makeChange({ state: 'ready' }));
    api.getDiff.mockResolvedValue({
      entityRef: 'component:default/fx-rates',
      diff: [
        'diff --git a/Dockerfile b/Dockerfile',
        '--- a/Dockerfile',
        '+++ b/Dockerfile',
        '@@ -1 +1 @@',
        '-FROM node:16-alpine',
        '+FROM node:20-alpine',
        '',
      ].join('\n'),
    });
    await renderPage(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Show the diff of component:default/fx-rates',
      }),
    );
    expect(api.getDiff).toHaveBeenCalledWith(
      'c1',
      'component:default/fx-rates',
    );
    const diff = await screen.findByTestId('diff');
    expect(within(diff).getByText('+FROM node:20-alpine')).toHaveAttribute(
      'data-line',
      'add',
    );
    expect(within(diff).getByText('-FROM node:16-alpine')).toHaveAttribute(
      'data-line',
      'del',
    );
    expect(within(diff).getByText('+++ b/Dockerfile')).toHaveAttribute(
      'data-line',
      'meta',
    );
  });

  it('applies to all after confirming, and per row', async () => {
    const api = mockChangesApi();
    const change = makeChange({ state: 'ready' });
    api.getChange.mockResolvedValue(change);
    api.apply.mockResolvedValue({ ...change, state: 'applying' });
    await renderPage(api);
    await screen.findByRole('heading', { name: 'Move to Node 20' });

    await confirm('Apply to all');
    await waitFor(() => expect(api.apply).toHaveBeenCalledWith('c1'));

    const fx = screen
      .getAllByTestId('repository-row')
      .find(r => r.dataset.entityRef === 'component:default/fx-rates')!;
    await waitFor(() =>
      expect(within(fx).getByRole('button', { name: 'Apply' })).toBeEnabled(),
    );
    await userEvent.click(within(fx).getByRole('button', { name: 'Apply' }));
    await userEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() =>
      expect(api.apply).toHaveBeenLastCalledWith('c1', [
        'component:default/fx-rates',
      ]),
    );
  });

  it("shows the server's error when an action fails", async () => {
    const api = mockChangesApi();
    api.getChange.mockResolvedValue(makeChange({ state: 'ready' }));
    api.close.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'Only owners may close',
            },
            response: { statusCode: 403 },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await renderPage(api);
    await screen.findByRole('heading', { name: 'Move to Node 20' });

    await confirm('Close all');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Close all failed: Only owners may close',
    );
  });

  it('polls while the change is previewing and stops once it settles', async () => {
    const api = mockChangesApi();
    api.getChange
      .mockResolvedValueOnce(makeChange({ state: 'previewing' }))
      .mockResolvedValue(makeChange({ state: 'ready' }));
    await renderPage(api, 20);

    expect(await screen.findByText('Ready to apply')).toBeInTheDocument();
    expect(api.getChange).toHaveBeenCalledTimes(2);
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(api.getChange).toHaveBeenCalledTimes(2);
  });

  it('says so when the change does not exist', async () => {
    const api = mockChangesApi();
    api.getChange.mockRejectedValue(
      Object.assign(new Error('not found'), { statusCode: 404 }),
    );
    await renderPage(api);
    expect(await screen.findByText(/Change not found/)).toBeInTheDocument();
  });
});
