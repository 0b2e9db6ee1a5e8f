import { useApi } from '@backstage/core-plugin-api';
import { ChangeDetail, ChangeSummary } from '@fleetdeck/plugin-changes-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { changesApiRef } from '../../api/ChangesApi';
import { errorMessage } from '../shared/errorMessage';
import { isSettling } from '../shared/status';

/** What {@link useChange} gives its page. */
export interface UseChangeResult {
  change?: ChangeDetail;
  /** The first load failed: there is nothing to show. */
  error?: Error;
  /** A later load failed: what is shown may be out of date. */
  refreshError?: string;
  /** Loads the change again now. */
  reload(): void;
  /** Shows an action's answer at once, before the reload it triggers lands. */
  merge(summary: ChangeSummary): void;
}

/**
 * A change's detail, polled every `pollMs` while its state still moves on
 * its own (previewing, applying) and left alone once it settles.
 */
export function useChange(id: string, pollMs = 2000): UseChangeResult {
  const api = useApi(changesApiRef);
  const [change, setChange] = useState<ChangeDetail>();
  const [error, setError] = useState<Error>();
  const [refreshError, setRefreshError] = useState<string>();
  const [request, setRequest] = useState(0);
  // counts finished loads, failed ones too, so that polling goes on after a failure
  const [loads, setLoads] = useState(0);
  const loaded = useRef(false);
  const reload = useCallback(() => setRequest(r => r + 1), []);

  useEffect(() => {
    let cancelled = false;
    api.getChange(id).then(
      detail => {
        if (cancelled) return;
        loaded.current = true;
        setChange(detail);
        setError(undefined);
        setRefreshError(undefined);
        setLoads(n => n + 1);
      },
      e => {
        if (cancelled) return;
        if (loaded.current) setRefreshError(errorMessage(e));
        else setError(e instanceof Error ? e : new Error(String(e)));
        setLoads(n => n + 1);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, id, request]);

  const settling = change ? isSettling(change.state) : false;
  useEffect(() => {
    if (!settling) return undefined;
    const timer = setTimeout(reload, pollMs);
    return () => clearTimeout(timer);
  }, [settling, loads, pollMs, reload]);

  const merge = useCallback(
    (summary: ChangeSummary) =>
      setChange(current => (current ? { ...current, ...summary } : current)),
    [],
  );

  return { change, error, refreshError, reload, merge };
}
