import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { changesApiRef } from '../../api/ChangesApi';
import { makeChange, mockChangesApi, mountedRoutes } from '../../testUtils';
import { ChangesList } from './ChangesList';

describe('ChangesList', () => {
  it('lists changes with their state, author and counts, and loads older ones', async () => {
    const api = mockChangesApi();
    api.listChanges
      .mockResolvedValueOnce({
        items: [makeChange({ id: 'c1' })],
        nextCursor: 'next',
      })
      .mockResolvedValueOnce({
        items: [
          makeChange({ id: 'c0', title: 'Older change', state: 'closed' }),
        ],
      });
    await renderInTestApp(
      <TestApiProvider apis={[[changesApiRef, api]]}>
        <ChangesList />
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(
      await screen.findByRole('link', { name: 'Move to Node 20' }),
    ).toHaveAttribute('href', '/changes/c1');
    expect(screen.getByText('Applying')).toBeInTheDocument();
    expect(screen.getByText('emma.dubois')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: '1 merged, 1 pr open, 1 failed, 1 previewed, 1 no change',
      }),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Load older changes' }),
    );
    expect(await screen.findByText('Older change')).toBeInTheDocument();
    expect(api.listChanges).toHaveBeenLastCalledWith({
      limit: 50,
      cursor: 'next',
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Load older changes' }),
      ).not.toBeInTheDocument(),
    );
  });

  it('invites a first search when there is no change yet', async () => {
    const api = mockChangesApi();
    api.listChanges.mockResolvedValue({ items: [] });
    await renderInTestApp(
      <TestApiProvider apis={[[changesApiRef, api]]}>
        <ChangesList />
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByText('No changes yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Search code' })).toHaveAttribute(
      'href',
      '/changes/search',
    );
  });
});
