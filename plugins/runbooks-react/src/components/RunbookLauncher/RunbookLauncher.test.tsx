import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RunbooksApi, runbooksApiRef } from '../../api';
import { RunbookLauncher } from './RunbookLauncher';

const cluster = (name: string, engine: string, environment: string) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name, namespace: 'default' },
  spec: { engine, environment, owner: 'group:default/platform-mongodb' },
});

const keyRotation: RunbookSummary = {
  entityRef: 'runbook:default/mongodb-key-rotation',
  name: 'mongodb-key-rotation',
  title: 'MongoDB key rotation',
  owner: 'group:default/platform-mongodb',
  targets: { kind: 'Cluster', 'spec.engine': 'mongodb' },
  parameters: {
    type: 'object',
    required: ['reason'],
    properties: { reason: { type: 'string', title: 'Reason', minLength: 3 } },
  },
  steps: [{ id: 'rotate', executor: 'ansible' }],
  concurrency: 10,
  approval: {
    when: { 'spec.environment': 'production' },
    approvers: ['group:default/sre'],
  },
  dryRunSupported: true,
  trust: { trusted: true },
};

// Typing into the generated form is slow on a busy CI machine.
jest.setTimeout(30_000);

describe('RunbookLauncher', () => {
  it('runs a runbook on the matching selection and lists the rest as excluded with the reason', async () => {
    const startRun = jest.fn(async () => ({ id: 'run-9' } as any));
    const onStarted = jest.fn();
    const api = {
      listRunbooks: jest.fn(async () => ({ items: [keyRotation] })),
      startRun,
    } as Partial<RunbooksApi> as RunbooksApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [runbooksApiRef, api],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                cluster('mongodb-orders-staging', 'mongodb', 'staging'),
                cluster('mongodb-orders-prod', 'mongodb', 'production'),
                cluster('kafka-payments-staging', 'kafka', 'staging'),
              ],
            }),
          ],
        ]}
      >
        <RunbookLauncher
          entityRefs={[
            'cluster:default/mongodb-orders-staging',
            'cluster:default/mongodb-orders-prod',
            'cluster:default/kafka-payments-staging',
          ]}
          onStarted={onStarted}
        />
      </TestApiProvider>,
    );

    await userEvent.click(
      await screen.findByRole('button', { name: /MongoDB key rotation/ }),
    );
    expect(
      screen.getByText('applies to 2 of 3 (1 excluded)'),
    ).toBeInTheDocument();
    const excluded = screen.getByRole('list', { name: 'Excluded targets' });
    expect(excluded).toHaveTextContent(
      'kafka-payments-staging: spec.engine is kafka, not mongodb',
    );
    expect(screen.getByTestId('run-plan-summary')).toHaveTextContent(
      '1 of 2 targets need approval by group:default/sre',
    );

    // The schema's minLength blocks the start with the field's message.
    await userEvent.type(screen.getByLabelText(/Reason/), 'x');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start dry run' }),
    );
    expect(
      await screen.findByText(/must NOT have fewer than 3 characters/),
    ).toBeInTheDocument();
    expect(startRun).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText(/Reason/), 'yz');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start dry run' }),
    );
    expect(startRun).toHaveBeenCalledWith({
      runbookRef: 'runbook:default/mongodb-key-rotation',
      targets: [
        'cluster:default/mongodb-orders-staging',
        'cluster:default/mongodb-orders-prod',
      ],
      parameters: { reason: 'xyz' },
      dryRun: true,
    });
    expect(onStarted).toHaveBeenCalledWith({ id: 'run-9' });
    expect(within(excluded).queryByText(/mongodb-orders/)).toBeNull();
  });

  it('lists a runbook from an untrusted source with the reason, and it cannot be picked', async () => {
    const reason =
      'Not trusted: runbook:default/guest-rotation was read from url:https://git.example/guest/x/catalog-info.yaml, which is neither a catalog location in app-config nor under runbooks.trustedSources';
    const api = {
      listRunbooks: jest.fn(async () => ({
        items: [
          {
            ...keyRotation,
            entityRef: 'runbook:default/guest-rotation',
            name: 'guest-rotation',
            title: 'Guest rotation',
            trust: { trusted: false, reason },
          },
          keyRotation,
        ],
      })),
      startRun: jest.fn(),
    } as Partial<RunbooksApi> as RunbooksApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [runbooksApiRef, api],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                cluster('mongodb-orders-staging', 'mongodb', 'staging'),
              ],
            }),
          ],
        ]}
      >
        <RunbookLauncher
          entityRefs={['cluster:default/mongodb-orders-staging']}
          onStarted={jest.fn()}
        />
      </TestApiProvider>,
    );
    const guest = await screen.findByRole('button', { name: /Guest rotation/ });
    expect(guest).toHaveTextContent(reason);
    expect(guest).toHaveAttribute('aria-disabled', 'true');
    // the trusted one comes first
    const items = within(
      screen.getByRole('list', { name: 'Runbooks for the selection' }),
    ).getAllByRole('button');
    expect(items[0]).toHaveTextContent('MongoDB key rotation');
    expect(screen.queryByRole('button', { name: /Start/ })).toBeNull();
  });

  it('opens on the given runbook with the given parameters filled in (the Fleet page: Patch the N outdated clusters)', async () => {
    const startRun = jest.fn(async () => ({ id: 'run-10' } as any));
    const api = {
      listRunbooks: jest.fn(async () => ({ items: [keyRotation] })),
      startRun,
    } as Partial<RunbooksApi> as RunbooksApi;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [runbooksApiRef, api],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                cluster('mongodb-orders-staging', 'mongodb', 'staging'),
              ],
            }),
          ],
        ]}
      >
        <RunbookLauncher
          entityRefs={['cluster:default/mongodb-orders-staging']}
          runbookRef="runbook:default/mongodb-key-rotation"
          initialParameters={{ reason: 'below policy' }}
          onStarted={jest.fn()}
        />
      </TestApiProvider>,
    );
    expect(await screen.findByLabelText(/Reason/)).toHaveValue('below policy');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start dry run' }),
    );
    expect(startRun).toHaveBeenCalledWith(
      expect.objectContaining({
        runbookRef: 'runbook:default/mongodb-key-rotation',
        targets: ['cluster:default/mongodb-orders-staging'],
        parameters: { reason: 'below policy' },
        dryRun: true,
      }),
    );
  });
});
