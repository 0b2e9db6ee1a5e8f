import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { SearchResponse } from '@fleetdeck/plugin-changes-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { changesApiRef } from '../../api/ChangesApi';
import { makeChange, mockChangesApi, mountedRoutes } from '../../testUtils';
import { Router } from '../Router';

const response: SearchResponse = {
  searched: 12,
  durationMs: 84,
  failed: [{ entityRef: 'component:default/legacy', message: 'no mirror yet' }],
  results: [
    {
      entityRef: 'component:default/payments-api',
      title: 'Payments API',
      owner: 'group:default/payments',
      system: 'payments-platform',
      repository: {
        url: 'https://git.example/payments-api.git',
        webUrl: 'https://git.example/payments-api',
        defaultBranch: 'main',
      },
      truncated: false,
      matches: [
        {
          path: 'Dockerfile',
          line: 1,
          text: 'FROM node:16-alpine AS build',
          url: 'https://git.example/payments-api/blob/main/Dockerfile#L1',
        },
        { path: 'ci/Dockerfile.test', line: 3, text: 'FROM node:16' },
      ],
    },
    {
      entityRef: 'component:default/ledger',
      // as the server may send it: the Component's spec.owner as written
      owner: 'core-banking',
      repository: {
        url: 'https://git.example/ledger.git',
        defaultBranch: 'main',
      },
      truncated: true,
      matches: [{ path: 'Dockerfile', line: 2, text: 'FROM node:16-slim' }],
    },
  ],
};

// pasting is as good as typing here, and fast enough for a long journey
async function fill(label: string | RegExp, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

describe('SearchTab', () => {
  it('shows the hits grouped by service and builds a change from them', async () => {
    const api = mockChangesApi();
    api.search.mockResolvedValue(response);
    api.createChange.mockResolvedValue(makeChange({ state: 'previewing' }));
    api.getChange.mockResolvedValue(makeChange({ state: 'ready' }));
    await renderInTestApp(
      <TestApiProvider apis={[[changesApiRef, api]]}>
        <Routes>
          <Route path="/changes/*" element={<Router />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/changes/search'], mountedRoutes },
    );

    await screen.findByLabelText('Search the code of every service');
    await fill('Search the code of every service', 'node:16');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(api.search).toHaveBeenCalledWith({
      query: 'node:16',
      regex: false,
      ignoreCase: false,
    });

    const services = await screen.findAllByTestId('search-service');
    expect(services).toHaveLength(2);
    expect(screen.getByTestId('search-summary')).toHaveTextContent(
      '3 matches in 2 services · searched 12 repositories in 84 ms',
    );
    expect(screen.getByText(/no mirror yet/)).toBeInTheDocument();
    const payments = services[0];
    expect(within(payments).getByText('Payments API')).toBeInTheDocument();
    expect(within(payments).getByText('payments')).toBeInTheDocument();
    expect(
      within(payments).getByRole('link', { name: /Dockerfile:1/ }),
    ).toHaveAttribute(
      'href',
      'https://git.example/payments-api/blob/main/Dockerfile#L1',
    );
    const first = within(payments).getAllByTestId('search-match')[0];
    expect(first.querySelector('mark')).toHaveTextContent('node:16');
    expect(first).toHaveTextContent('FROM node:16-alpine AS build');
    expect(
      within(services[1]).getByText('1 match (more not shown)'),
    ).toBeInTheDocument();
    // an owner sent as written in the Component still links to its group
    expect(
      within(services[1]).getByRole('link', { name: 'core-banking' }),
    ).toHaveAttribute('href', '/catalog/default/group/core-banking');

    await userEvent.click(
      screen.getByRole('button', { name: 'Create change from these results' }),
    );
    const entities = await screen.findByLabelText('Entities');
    expect(entities).toHaveValue(
      'component:default/payments-api\ncomponent:default/ledger',
    );
    expect(screen.getByLabelText('Step 1 pattern')).toHaveValue('node:16');

    await fill(/Title/, 'Move to Node 20');
    await fill('Step 1 files', 'Dockerfile');
    await fill('Step 1 replacement', 'node:20');
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));

    await waitFor(() =>
      expect(api.createChange).toHaveBeenCalledWith({
        title: 'Move to Node 20',
        description: '',
        targets: {
          entityRefs: [
            'component:default/payments-api',
            'component:default/ledger',
          ],
        },
        recipe: [
          {
            type: 'replace',
            files: ['Dockerfile'],
            pattern: 'node:16',
            fixedString: true,
            flags: '',
            replacement: 'node:20',
          },
        ],
        concurrency: 8,
      }),
    );
    // the new change's tracking page
    expect(
      await screen.findByRole('heading', { name: 'Move to Node 20' }),
    ).toBeInTheDocument();
    expect(api.getChange).toHaveBeenCalledWith('c1');
  }, 20_000);

  it('runs the search a shared URL holds, with its switches and filters', async () => {
    const api = mockChangesApi();
    api.search.mockResolvedValue({ ...response, results: [], failed: [] });
    await renderInTestApp(
      <TestApiProvider apis={[[changesApiRef, api]]}>
        <Routes>
          <Route path="/changes/*" element={<Router />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: [
          '/changes/search?q=log4j-core%3A2%5C.1&regex=true&ignoreCase=true&owner=group%3Adefault%2Fpayments',
        ],
        mountedRoutes,
      },
    );
    expect(
      await screen.findByText('Nothing matches in the repositories searched.'),
    ).toBeInTheDocument();
    expect(api.search).toHaveBeenCalledWith({
      query: 'log4j-core:2\\.1',
      regex: true,
      ignoreCase: true,
      owner: ['group:default/payments'],
    });
    expect(
      screen.getByRole('button', { name: 'Create change from these results' }),
    ).toBeDisabled();
  });
});
