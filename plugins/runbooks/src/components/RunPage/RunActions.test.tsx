import { identityApiRef } from '@backstage/core-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import { RunActions } from './RunActions';
import { makeRun, makeTarget } from './testData';

const waiting = makeRun({
  status: 'awaiting_approval',
  requestedBy: 'user:default/guest',
  approvers: ['group:default/sre'],
  counts: {
    ...makeRun().counts,
    running: 0,
    failed: 0,
    succeeded: 0,
    awaiting_approval: 3,
  },
});

// usePermission caches decisions per resource for the whole test file, so
// every render gets resources of its own.
let renders = 0;

async function renderActions(options: {
  user: string;
  groups: string[];
  allow: boolean;
  run?: typeof waiting;
}) {
  const noop = () => {};
  renders += 1;
  const run = {
    ...(options.run ?? waiting),
    runbookRef: `runbook:default/rb-${renders}`,
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          permissionApiRef,
          mockApis.permission({
            authorize: options.allow
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          }),
        ],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: options.user,
            ownershipEntityRefs: [options.user, ...options.groups],
          }),
        ],
      ]}
    >
      <RunActions
        run={run}
        awaitingTarget={makeTarget(
          `kafka-prod-${renders}`,
          'awaiting_approval',
        )}
        busy={false}
        onApprove={noop}
        onReject={noop}
        onCancel={noop}
        onRetry={noop}
      />
    </TestApiProvider>,
  );
}

describe('RunActions', () => {
  it('offers approve and reject to a member of the approver group', async () => {
    await renderActions({
      user: 'user:default/olivia.brown',
      groups: ['group:default/sre'],
      allow: true,
    });
    expect(
      await screen.findByRole('button', { name: 'Approve' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reject' })).toBeInTheDocument();
    // Not the requester, but allowed to cancel (e.g. an owner of the runbook).
    expect(
      screen.getByRole('button', { name: 'Cancel run' }),
    ).toBeInTheDocument();
  });

  it('hides approval from the requester, who may still cancel', async () => {
    await renderActions({
      user: 'user:default/guest',
      groups: ['group:default/sre'],
      allow: true,
    });
    expect(
      await screen.findByRole('button', { name: 'Cancel run' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
  });

  it('shows nothing to someone outside the approvers without permissions', async () => {
    await renderActions({
      user: 'user:default/emma.dubois',
      groups: ['group:default/payments'],
      allow: false,
    });
    await waitFor(() =>
      expect(screen.queryAllByRole('button')).toHaveLength(0),
    );
  });

  it('hides approval when the permission framework denies it', async () => {
    await renderActions({
      user: 'user:default/olivia.brown',
      groups: ['group:default/sre'],
      allow: false,
    });
    await waitFor(() =>
      expect(screen.queryAllByRole('button')).toHaveLength(0),
    );
  });

  it('offers retry of failed targets on a finished run to someone allowed to cancel', async () => {
    const failed = makeRun({
      status: 'failed',
      requestedBy: 'user:default/amelie.martin',
      finishedAt: '2026-11-21T10:05:00Z',
      counts: { ...makeRun().counts, running: 0 },
    });
    await renderActions({
      user: 'user:default/olivia.brown',
      groups: ['group:default/fleetdeck-admins'],
      allow: true,
      run: failed,
    });
    expect(
      await screen.findByRole('button', { name: 'Retry failed targets' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel run' }),
    ).not.toBeInTheDocument();
  });
});
