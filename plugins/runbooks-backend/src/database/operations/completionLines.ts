import { Completion, NewLogLine } from '../types';

/**
 * The log lines a completion stores: its own, and for a target's end one
 * more saying how it ended.
 */
export function completionLines(
  { claim, logs, finish }: Completion,
  now: number,
): NewLogLine[] {
  if (!finish) return logs;
  return [
    ...logs,
    {
      runId: claim.runId,
      targetId: claim.targetId,
      level: finish.status === 'succeeded' ? 'info' : 'error',
      message: `Target ${finish.status}${
        finish.error ? `: ${finish.error}` : ''
      }`,
      createdAt: now,
    },
  ];
}
