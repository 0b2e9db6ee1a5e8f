import { TestApiProvider } from '@backstage/test-utils';
import { RunLogLine } from '@fleetdeck/plugin-runbooks-common';
import { runbooksApiRef } from '@fleetdeck/plugin-runbooks-react';
import { renderHook, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { makeRun, mockRunbooksApi } from './testData';
import { useTargetLog } from './useTargetLog';

const line = (id: number, targetId = 't-a'): RunLogLine => ({
  id,
  runId: 'run-1',
  targetId,
  level: 'info',
  message: `line ${id}`,
  createdAt: '2026-11-21T10:00:00Z',
});

describe('useTargetLog', () => {
  it('pages stored lines, then follows the stream without repeating a line', async () => {
    const api = mockRunbooksApi(makeRun(), []);
    api.listLogs.mockResolvedValueOnce({
      items: [line(1), line(2)],
      nextCursor: 2,
    });
    const done = makeRun({ status: 'succeeded' });
    api.streamRun.mockImplementation(async (_runId, { onEvent }) => {
      onEvent({ type: 'log', line: line(2) }); // already paged
      onEvent({ type: 'log', line: line(3) });
      onEvent({ type: 'log', line: line(4, 't-b') }); // another target
      onEvent({ type: 'run', run: done });
    });
    const onEvent = jest.fn();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[runbooksApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    const { result } = renderHook(() => useTargetLog('run-1', 't-a', onEvent), {
      wrapper,
    });

    await waitFor(() =>
      expect(result.current.lines.map(l => l.message)).toEqual([
        'line 1',
        'line 2',
        'line 3',
      ]),
    );
    await waitFor(() => expect(result.current.live).toBe(false));
    expect(api.streamRun).toHaveBeenCalledTimes(1);
    expect(api.streamRun.mock.calls[0][1]).toMatchObject({
      targetId: 't-a',
      after: 2,
    });
    expect(onEvent).toHaveBeenCalledWith({ type: 'run', run: done });
  });
});
