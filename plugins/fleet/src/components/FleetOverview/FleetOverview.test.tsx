import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { compareVersions } from '@fleetdeck/plugin-fleet-common';
import { FleetState } from '../FleetPage/fleetQuery';
import {
  runbooksRouteRef,
  RunbooksApi,
  runbooksApiRef,
} from '@fleetdeck/plugin-runbooks-react';
import type { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { FleetOverview } from './FleetOverview';
import {
  demoClusters,
  demoRunbook,
  demoVersionPolicy,
} from './__testUtils__/demoFleet';

jest.setTimeout(60_000);

const initial: FleetState = { q: '', filters: {}, sort: 'name', order: 'asc' };
let clusters: Entity[];
const startRun = jest.fn(
  async (_request: unknown) => ({ id: 'run-1' } as RunSummary),
);
const runbooksApi = {
  listRunbooks: async () => ({ items: [demoRunbook('kafka-rolling-patch')] }),
  startRun,
} as Partial<RunbooksApi> as RunbooksApi;

beforeAll(async () => {
  clusters = await demoClusters();
});

/** Counts straight from the entities, to hold the charts against. */
function count(pick: (e: Entity) => boolean) {
  return clusters.filter(pick).length;
}
const spec = (e: Entity) => e.spec as Record<string, string>;

async function renderOverview(state = initial) {
  const onChange = jest.fn();
  const onSelect = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApiMock({ entities: clusters })],
        [
          configApiRef,
          mockApis.config({
            data: { fleet: { versionPolicy: demoVersionPolicy() } },
          }),
        ],
        [runbooksApiRef, runbooksApi],
      ]}
    >
      <FleetOverview state={state} onChange={onChange} onSelect={onSelect} />
    </TestApiProvider>,
    { mountedRoutes: { '/runbooks': runbooksRouteRef } },
  );
  await screen.findByTestId('fleet-overview');
  return { onChange, onSelect };
}

describe('FleetOverview on the demo fleet', () => {
  it('draws every version in use with the count the catalog holds', async () => {
    expect(clusters).toHaveLength(95);
    await renderOverview();
    for (const engine of new Set(clusters.map(e => spec(e).engine))) {
      const region = screen.getByRole('region', { name: `${engine} versions` });
      const versions = new Set(
        clusters
          .filter(e => spec(e).engine === engine)
          .map(e => spec(e).version),
      );
      for (const version of versions) {
        const n = count(
          e => spec(e).engine === engine && spec(e).version === version,
        );
        expect(
          within(region).getByRole('button', {
            name: new RegExp(
              `^${n} ${engine} clusters on ${version.replace(/\./g, '\\.')}\\b`,
            ),
          }),
        ).toBeInTheDocument();
      }
    }
    for (const env of ['dev', 'staging', 'production']) {
      const n = count(e => spec(e).environment === env);
      expect(
        screen.getByRole('button', { name: `${n} clusters in ${env}` }),
      ).toBeInTheDocument();
    }
  });

  it('counts the Kafka clusters below the policy, end-of-life ones in red', async () => {
    await renderOverview();
    const kafka = clusters.filter(e => spec(e).engine === 'kafka');
    const outdated = kafka.filter(
      e => compareVersions(spec(e).version, '3.7.0') < 0,
    ).length;
    const eol = kafka.filter(e => spec(e).version.startsWith('3.5.')).length;
    expect([kafka.length, outdated, eol]).toEqual([30, 7, 4]);
    const region = screen.getByRole('region', { name: 'kafka versions' });
    expect(region).toHaveTextContent(`30 clusters · 23 of 30 current`);
    expect(
      within(region).getByRole('button', {
        name: '7 outdated kafka clusters (below 3.7.0), 4 of them end-of-life',
      }),
    ).toBeInTheDocument();
    expect(
      within(region).getByRole('button', {
        name: '4 kafka clusters on 3.5.1, end-of-life',
      }),
    ).toBeInTheDocument();
    expect(
      within(region).getByRole('button', {
        name: 'Patch the 7 outdated clusters',
      }),
    ).toBeInTheDocument();
    // No runbook patches MongoDB in the demo policy: nothing to offer there.
    expect(
      within(
        screen.getByRole('region', { name: 'mongodb versions' }),
      ).queryByRole('button', { name: /^Patch/ }),
    ).toBeNull();
  });

  it('filters the table when a bar is clicked, and clears it on a second click', async () => {
    const { onChange } = await renderOverview();
    fireEvent.click(
      screen.getByRole('button', { name: /^7 outdated kafka clusters/ }),
    );
    expect(onChange).toHaveBeenLastCalledWith({
      filters: { engine: 'kafka', version: undefined },
      policy: 'outdated',
    });
    fireEvent.click(
      screen.getByRole('button', { name: /^3 kafka clusters on 3\.6\.2/ }),
    );
    expect(onChange).toHaveBeenLastCalledWith({
      filters: { engine: 'kafka', version: '3.6.2' },
      policy: undefined,
    });
    fireEvent.click(
      screen.getByRole('button', { name: /clusters in staging$/ }),
    );
    expect(onChange).toHaveBeenLastCalledWith({
      filters: { environment: 'staging' },
    });
  });

  it('marks the chosen bar, and a second click clears the filter', async () => {
    const { onChange } = await renderOverview({
      ...initial,
      filters: { engine: 'kafka' },
      policy: 'eol',
    });
    const bar = screen.getByRole('button', {
      name: '4 end-of-life kafka clusters',
    });
    expect(bar).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(bar);
    expect(onChange).toHaveBeenLastCalledWith({
      filters: { engine: 'kafka', version: undefined },
      policy: undefined,
    });
  });

  it('selects exactly the outdated Kafka clusters to patch', async () => {
    const { onSelect, onChange } = await renderOverview();
    fireEvent.click(
      screen.getByRole('button', { name: 'Patch the 7 outdated clusters' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Run a runbook on 7 entities');
    // The policy's runbook is picked, with the policy's target version.
    expect(
      await within(dialog).findByLabelText(/Target Kafka version/),
    ).toHaveValue('3.8.0');
    const expected = clusters
      .filter(
        e =>
          spec(e).engine === 'kafka' &&
          compareVersions(spec(e).version, '3.7.0') < 0,
      )
      .map(e => `cluster:default/${e.metadata.name}`)
      .sort();
    expect([...onSelect.mock.calls[0][0]].sort()).toEqual(expected);
    expect(onChange).toHaveBeenLastCalledWith({
      q: '',
      filters: { engine: 'kafka' },
      policy: 'outdated',
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start dry run' }),
    );
    await waitFor(() => expect(startRun).toHaveBeenCalledTimes(1));
    const request = startRun.mock.calls[0][0] as {
      targets: string[];
    };
    expect(request).toMatchObject({
      runbookRef: 'runbook:default/kafka-rolling-patch',
      parameters: { version: '3.8.0', maxUnderReplicated: 0 },
      dryRun: true,
    });
    expect([...request.targets].sort()).toEqual(expected);
  });
});
