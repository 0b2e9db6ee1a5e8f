import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { changesApiRef } from '../../api/ChangesApi';
import {
  makeChange,
  mockChangesApi,
  mountedRoutes,
  repo,
} from '../../testUtils';
import { EntityChangesCard } from './EntityChangesCard';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'card-tokenizer', namespace: 'default' },
  spec: { type: 'service', owner: 'cards', lifecycle: 'production' },
};

async function renderCard(api: ReturnType<typeof mockChangesApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[changesApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityChangesCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes },
  );
}

describe('EntityChangesCard', () => {
  it("lists the entity's open changes with their state and pull request", async () => {
    const api = mockChangesApi();
    const open = makeChange({ id: 'c1', title: 'Move to Node 20' });
    const merged = makeChange({
      id: 'c2',
      title: 'Bump log4j',
      repositories: [repo('card-tokenizer', { state: 'merged' })],
    });
    const closed = makeChange({
      id: 'c3',
      title: 'Abandoned',
      state: 'closed',
    });
    // the list, asked for one entity, carries that entity's repository row
    const own = (c: typeof open) => ({
      ...c,
      repository: c.repositories.find(r =>
        r.entityRef.endsWith('/card-tokenizer'),
      ),
    });
    api.listChanges.mockResolvedValue({
      items: [own(open), own(merged), own(closed)],
    });
    await renderCard(api);

    const link = await screen.findByRole('link', { name: 'Move to Node 20' });
    expect(link).toHaveAttribute('href', '/changes/c1');
    expect(api.listChanges).toHaveBeenCalledWith({
      entityRef: 'component:default/card-tokenizer',
      limit: 50,
    });
    const item = link.closest('li')!;
    expect(within(item).getByText('PR open')).toBeInTheDocument();
    expect(within(item).getByRole('link', { name: /PR #7/ })).toHaveAttribute(
      'href',
      'https://git.example/card-tokenizer/pull/7',
    );
    // merged here, and closed as a whole: not open any more
    expect(screen.queryByText('Bump log4j')).not.toBeInTheDocument();
    expect(screen.queryByText('Abandoned')).not.toBeInTheDocument();
    // one request for the card, whatever the number of changes
    expect(api.getChange).not.toHaveBeenCalled();
  });

  it('says so when there is no open change', async () => {
    const api = mockChangesApi();
    api.listChanges.mockResolvedValue({ items: [] });
    await renderCard(api);
    expect(await screen.findByTestId('changes-empty')).toHaveTextContent(
      'No open fleet-wide changes for this service.',
    );
  });
});
