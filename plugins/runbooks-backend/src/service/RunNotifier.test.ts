import { mockServices } from '@backstage/backend-test-utils';
import { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { RunNotifier } from './RunNotifier';

const run = (
  status: RunSummary['status'],
  requestedBy = 'user:default/amelie',
): RunSummary => ({
  id: 'r1',
  runbookRef: 'runbook:default/kafka-rolling-patch',
  runbookTitle: 'Kafka rolling patch',
  requestedBy,
  status,
  dryRun: false,
  parameters: {},
  concurrency: 5,
  createdAt: new Date().toISOString(),
  total: 3,
  counts: {
    awaiting_approval: 0,
    pending: 0,
    running: 0,
    succeeded: 1,
    failed: 2,
    cancelled: 0,
    rejected: 0,
  },
  approvers: ['group:default/sre'],
});

describe('RunNotifier', () => {
  it('tells the requester when a run ends with failures, and signals the page', async () => {
    const send = jest.fn();
    const publish = jest.fn().mockResolvedValue(undefined);
    const notifier = new RunNotifier({
      logger: mockServices.logger.mock(),
      notifications: { send },
      signals: { publish },
    });
    await notifier.runFinished(run('succeeded'));
    expect(send).not.toHaveBeenCalled();
    await notifier.runFinished(run('failed'));
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'user:default/amelie' },
      payload: expect.objectContaining({
        title: 'Runbook run failed on 2 of 3 targets',
        link: '/runbooks/runs/r1',
        severity: 'high',
      }),
    });
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: 'runbooks:run:r1',
      message: { type: 'run', runId: 'r1', status: 'failed' },
    });
    // scheduled runs have no person to tell
    send.mockClear();
    await notifier.runFinished(run('failed', 'service:plugin:runbooks'));
    expect(send).not.toHaveBeenCalled();
  });

  it('asks the approver groups when targets wait', async () => {
    const send = jest.fn().mockRejectedValue(new Error('notifications down'));
    const logger = mockServices.logger.mock();
    await new RunNotifier({ logger, notifications: { send } }).approvalNeeded({
      ...run('running'),
      counts: { ...run('running').counts, awaiting_approval: 2 },
    });
    expect(send).toHaveBeenCalledWith(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: 'group:default/sre' },
      }),
    );
    expect(logger.warn).toHaveBeenCalled(); // a failing notification never fails the run
  });
});
