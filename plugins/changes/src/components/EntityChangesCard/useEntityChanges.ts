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
  /** Missing when the change's detail could not be read. */
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
    const { items } = await api.listChanges({ entityRef, limit: 50 });
    const candidates = items.filter(c => c.state !== 'closed');
    // the list carries no per-repository state: read each open change's detail
    const details = await Promise.allSettled(
      candidates.map(c => api.getChange(c.id)),
    );
    return candidates
      .map((change, i) => {
        const detail = details[i];
        const repository =
          detail.status === 'fulfilled'
            ? detail.value.repositories.find(
                r =>
                  r.entityRef.toLocaleLowerCase('en-US') ===
                  entityRef.toLocaleLowerCase('en-US'),
              )
            : undefined;
        return { change, repository };
      })
      .filter(e => !e.repository || !finished.has(e.repository.state));
  }, [api, entityRef]);
}
