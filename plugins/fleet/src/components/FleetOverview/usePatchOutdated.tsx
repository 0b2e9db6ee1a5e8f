import { useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useLocation } from 'react-router-dom';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { VersionPolicy } from '@fleetdeck/plugin-fleet-common';
import { RunbookLauncherDialog } from '@fleetdeck/plugin-runbooks-react';
import {
  FleetState,
  fleetRequest,
  stateToParams,
} from '../FleetPage/fleetQuery';
import { resolvePolicyVersions } from '../VersionPolicy';

const REF_FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];

interface Launch {
  refs: string[];
  runbookRef: string;
  target: string;
  returnTo: string;
}

/**
 * "Patch the N outdated clusters": selects every cluster of the engine below
 * its policy, filters the table to them, and opens the launcher on the
 * policy's runbook with its target version; the run page links back here.
 */
export function usePatchOutdated(options: {
  policy: VersionPolicy;
  onSelect: (refs: string[]) => void;
  onChange: (next: Partial<FleetState>) => void;
}) {
  const { policy, onSelect, onChange } = options;
  const catalogApi = useApi(catalogApiRef);
  // The Fleet page itself: the run page links back to it with the filter.
  const fleetPath = useLocation().pathname;
  const [launch, setLaunch] = useState<Launch>();
  const [error, setError] = useState<Error>();

  const patch = async (engine: string) => {
    const rule = policy[engine as keyof VersionPolicy];
    if (!rule?.runbook) return;
    setError(undefined);
    const state: FleetState = {
      q: '',
      filters: { engine },
      policy: 'outdated',
      sort: 'name',
      order: 'asc',
    };
    try {
      const versions = await resolvePolicyVersions(
        catalogApi,
        policy,
        'outdated',
        engine,
      );
      const request = fleetRequest(state, 500, versions);
      const refs: string[] = [];
      let response = request
        ? await catalogApi.queryEntities({ ...request, fields: REF_FIELDS })
        : undefined;
      while (response) {
        refs.push(...response.items.map(e => stringifyEntityRef(e)));
        const cursor = response.pageInfo.nextCursor;
        response = cursor
          ? await catalogApi.queryEntities({
              cursor,
              limit: 500,
              fields: REF_FIELDS,
            })
          : undefined;
      }
      onSelect(refs);
      onChange({ q: '', filters: state.filters, policy: state.policy });
      setLaunch({
        refs,
        runbookRef: rule.runbook,
        target: rule.target,
        returnTo: `${fleetPath}?${stateToParams(state)}`,
      });
    } catch (e) {
      setError(e as Error);
    }
  };

  const dialog = launch ? (
    <RunbookLauncherDialog
      open
      entityRefs={launch.refs}
      runbookRef={launch.runbookRef}
      initialParameters={{ version: launch.target }}
      returnTo={launch.returnTo}
      onClose={() => setLaunch(undefined)}
    />
  ) : null;
  return { patch, dialog, error };
}
