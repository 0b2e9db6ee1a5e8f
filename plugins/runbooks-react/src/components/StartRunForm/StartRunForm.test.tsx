import { ResponseError } from '@backstage/errors';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RunbooksApi, runbooksApiRef } from '../../api';
import { StartRunForm } from './StartRunForm';

const runbook: RunbookSummary = {
  entityRef: 'runbook:default/mongodb-key-rotation',
  name: 'mongodb-key-rotation',
  title: 'MongoDB key rotation',
  owner: 'group:default/platform-mongodb',
  targets: { kind: 'Cluster', 'spec.engine': 'mongodb' },
  steps: [{ id: 'rotate', executor: 'ansible' }],
  concurrency: 10,
  dryRunSupported: true,
  trust: { trusted: true },
};

const target = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'mongodb-orders-staging', namespace: 'default' },
  spec: { engine: 'mongodb', environment: 'staging' },
};

describe('StartRunForm', () => {
  it("shows the server's message when it refuses the run", async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message:
              'You may not run mongodb-key-rotation on cluster:default/mongodb-orders-staging',
          },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'Content-Type': 'application/json' },
        },
      ) as any,
    );
    const api = {
      startRun: jest.fn().mockRejectedValue(refusal),
    } as Partial<RunbooksApi> as RunbooksApi;
    const onStarted = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[runbooksApiRef, api]]}>
        <StartRunForm
          runbook={runbook}
          targets={[target]}
          onStarted={onStarted}
        />
      </TestApiProvider>,
    );

    await userEvent.click(screen.getByLabelText(/Dry run/));
    await userEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(
      await screen.findByText(
        'You may not run mongodb-key-rotation on cluster:default/mongodb-orders-staging',
      ),
    ).toBeInTheDocument();
    expect(api.startRun).toHaveBeenCalledWith({
      runbookRef: 'runbook:default/mongodb-key-rotation',
      targets: ['cluster:default/mongodb-orders-staging'],
      parameters: {},
      dryRun: false,
    });
    expect(onStarted).not.toHaveBeenCalled();
    // The form stays usable for another try.
    expect(screen.getByRole('button', { name: 'Start run' })).toBeEnabled();
  });
});
