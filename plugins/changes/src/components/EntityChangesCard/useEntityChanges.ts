import { useApi } from '@backstage/core-plugin-api';
import {
  ChangeRepository,
  ChangeSummary,
} from '@fleetdeck/plugin-changes-common';
import useAsync from 'react-use/esm/useAsync';
import { changesApiRef } from '../../api/ChangesApi';

/** An open change of one entity, with that entity's own repository row. */
export interface EntityChange {
  change: ChangeSummary;
  /** The entity's row in the change (missing only from an older backend). */
  repository?: ChangeRepository;
}

// the change is done with this repository
const finished = new Set(['merged', 'closed', 'no_change']);

/**
 * The changes that are still open for an entity: not closed as a whole, and
 * in this entity's repository not merged, closed or without a diff.
 */
export function useEntityChanges(entityRef: string) {
  const api = useApi(changesApiRef);
  return useAsync(async (): Promise<EntityChange[]> => {
    // asked for one entity, the list carries that entity's repository row
    const { items } = await api.listChanges({ entityRef, limit: 50 });
    return items
      .filter(c => c.state !== 'closed')
      .map(change => ({ change, repository: change.repository }))
      .filter(e => !e.repository || !finished.has(e.repository.state));
  }, [api, entityRef]);
}
