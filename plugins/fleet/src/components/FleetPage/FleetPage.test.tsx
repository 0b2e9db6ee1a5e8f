import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FleetPage } from './FleetPage';

const clusters = Array.from({ length: 120 }, (_, i) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: `c${String(i).padStart(3, '0')}`, namespace: 'default' },
  spec: {
    engine: i % 2 ? 'kafka' : 'mongodb',
    version: '1.0',
    environment: 'production',
    owner: 'group:default/sre',
    nodes: ['a', 'b'],
    endpoints: [],
  },
}));

// Rendering the whole page is slow on a busy CI machine.
jest.setTimeout(30_000);

const renderPage = (catalogApi: ReturnType<typeof catalogApiMock.mock>) =>
  renderInTestApp(
    <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
      <FleetPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('FleetPage', () => {
  it('pages through the catalog 50 clusters at a time and never fetches them all', async () => {
    const catalogApi = catalogApiMock.mock({
      queryEntities: jest.fn(async (request: any) => {
        const offset = request.cursor ? Number(request.cursor) : 0;
        return {
          items: clusters.slice(offset, offset + request.limit),
          totalItems: clusters.length,
          pageInfo: {
            nextCursor:
              offset + request.limit < clusters.length
                ? String(offset + request.limit)
                : undefined,
            prevCursor:
              offset > 0
                ? String(Math.max(0, offset - request.limit))
                : undefined,
          },
        };
      }),
      getEntityFacets: jest.fn(async () => ({
        facets: {
          'spec.engine': [
            { value: 'kafka', count: 60 },
            { value: 'mongodb', count: 60 },
          ],
        },
      })),
      getEntities: jest.fn(async () => ({ items: [] })),
    });
    await renderPage(catalogApi);
    expect(await screen.findByText('1–50 of 120 clusters')).toBeInTheDocument();
    // by text, not role: a role query over 50 rows costs over a second in jsdom
    expect(screen.getByText('c000').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/cluster/c000',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(
      await screen.findByText('51–100 of 120 clusters'),
    ).toBeInTheDocument();
    expect(screen.getByText('c050').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/cluster/c050',
    );

    const requests = (catalogApi.queryEntities as jest.Mock).mock.calls.map(
      c => c[0],
    );
    expect(requests.every(r => r.limit === 50)).toBe(true);
    expect(requests[requests.length - 1]).toMatchObject({ cursor: '50' });
    // The only full list it asks for is of the inventories' status Locations.
    for (const [request] of (catalogApi.getEntities as jest.Mock).mock.calls) {
      expect(request.filter.kind).toBe('location');
    }
  });

  it('asks for the rows first, and for the overview, filter options and inventory status once they are in', async () => {
    let release = () => {};
    const rowsAnswered = new Promise<void>(r => (release = r));
    const catalogApi = catalogApiMock.mock({
      queryEntities: jest.fn(async (request: any) => {
        await rowsAnswered;
        return {
          items: clusters.slice(0, request.limit),
          totalItems: clusters.length,
          pageInfo: {},
        };
      }),
      getEntityFacets: jest.fn(async () => ({ facets: {} })),
      getEntities: jest.fn(async () => ({ items: [] })),
    });
    await renderPage(catalogApi);
    await waitFor(() => expect(catalogApi.queryEntities).toHaveBeenCalled());
    // nothing else competes with the rows while they are on their way
    await new Promise(r => setTimeout(r, 200));
    expect(catalogApi.getEntityFacets).not.toHaveBeenCalled();
    expect(catalogApi.getEntities).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Loading overview')).toBeInTheDocument();
    release();
    expect(await screen.findByText('1–50 of 120 clusters')).toBeInTheDocument();
    await waitFor(() => expect(catalogApi.getEntityFacets).toHaveBeenCalled());
    await waitFor(() => expect(catalogApi.getEntities).toHaveBeenCalled());
  });

  it('sends the search to the server and starts again at the first page', async () => {
    const catalogApi = catalogApiMock.mock({
      queryEntities: jest.fn(async () => ({
        items: [],
        totalItems: 0,
        pageInfo: {},
      })),
      getEntityFacets: jest.fn(async () => ({ facets: {} })),
      getEntities: jest.fn(async () => ({ items: [] })),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <FleetPage />
      </TestApiProvider>,
    );
    fireEvent.change(screen.getByRole('textbox', { name: 'Search clusters' }), {
      target: { value: '3.5' },
    });
    await waitFor(() =>
      expect(catalogApi.queryEntities).toHaveBeenLastCalledWith(
        expect.objectContaining({
          fullTextFilter: expect.objectContaining({ term: '3.5' }),
        }),
      ),
    );
    expect(await screen.findByText('No clusters match.')).toBeInTheDocument();
  });
});
