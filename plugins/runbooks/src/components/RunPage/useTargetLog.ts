import { useApi } from '@backstage/core-plugin-api';
import { RunLogLine, RunStreamEvent } from '@fleetdeck/plugin-runbooks-common';
import { runbooksApiRef } from '@fleetdeck/plugin-runbooks-react';
import { useEffect, useState } from 'react';

const PAGE = 5000;
const FLUSH_MS = 250;

/**
 * The log of one target: pages the stored lines, then follows the run's
 * server-sent event stream from there (reconnecting from the last line while
 * the run is still going). Run and target state changes on the stream go to
 * `onEvent`. Lines are flushed to state in batches so a chatty playbook does
 * not re-render on every line.
 */
export function useTargetLog(
  runId: string,
  targetId: string | undefined,
  onEvent: (event: RunStreamEvent) => void,
) {
  const api = useApi(runbooksApiRef);
  const [lines, setLines] = useState<RunLogLine[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    // Mutable state of this subscription, shared by the pager and the stream.
    const state = {
      pending: [] as RunLogLine[],
      after: undefined as number | undefined,
      ended: false,
    };
    setLines([]);
    setError(undefined);
    const flush = () => {
      if (state.pending.length) {
        const batch = state.pending;
        state.pending = [];
        setLines(current => current.concat(batch));
      }
    };
    const timer = setInterval(flush, FLUSH_MS);
    const handle = (event: RunStreamEvent) => {
      if (event.type === 'log') {
        if (state.after === undefined || event.line.id > state.after) {
          state.after = event.line.id;
          if (!targetId || event.line.targetId === targetId) {
            state.pending.push(event.line);
          }
        }
        return;
      }
      if (event.type === 'run') {
        state.ended = !['running', 'awaiting_approval'].includes(
          event.run.status,
        );
      }
      onEvent(event);
    };

    (async () => {
      for (;;) {
        const page = await api.listLogs(runId, {
          targetId,
          after: state.after,
          limit: PAGE,
        });
        state.pending.push(...page.items);
        if (page.nextCursor !== undefined) state.after = page.nextCursor;
        if (page.items.length < PAGE || signal.aborted) break;
      }
      flush();
      while (!signal.aborted && !state.ended) {
        setLive(true);
        await api.streamRun(runId, {
          targetId,
          after: state.after,
          signal,
          onEvent: handle,
        });
        // The server ends the stream when the run ends; anything else
        // (a proxy timeout, a restart) reconnects from the last line seen.
        if (!state.ended) await new Promise(r => setTimeout(r, 2000));
      }
      setLive(false);
    })().catch(e => {
      if (!signal.aborted) {
        setError(e);
        setLive(false);
      }
    });

    return () => {
      controller.abort();
      clearInterval(timer);
    };
    // onEvent is read through the closure on purpose; it changes every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, runId, targetId]);

  return { lines, live, error };
}
