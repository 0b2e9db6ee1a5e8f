import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';

const EMITTED = 'fleetdeck.io/inventory-cluster-count';
const SERVED = 'fleetdeck.io/inventory-served-count';
const HEALING = 'fleetdeck.io/inventory-healing-count';

/** How often the counts are read again while an inventory heals. */
export const HEALING_POLL_MS = 10_000;

/**
 * "N of M clusters served, healing": shown while an inventory provider's
 * reconcile finds clusters it emitted that the catalog does not serve yet
 * (counts from the provider's status entity), so a short list is explained.
 */
export const InventoryHealingBanner = () => {
  const catalogApi = useApi(catalogApiRef);
  const [tick, setTick] = useState(0);
  const { value } = useAsync(
    () =>
      catalogApi.getEntities({
        filter: { kind: 'location', 'spec.type': 'fleet-inventory' },
        fields: ['metadata.name', 'metadata.title', 'metadata.annotations'],
      }),
    [catalogApi, tick],
  );
  const healing = (value?.items ?? []).flatMap(e => {
    const a = e.metadata.annotations ?? {};
    const count = (key: string) => Number(a[key] ?? NaN);
    if (!(count(HEALING) > 0)) return [];
    return [
      {
        name: e.metadata.name,
        title: e.metadata.title ?? e.metadata.name,
        served: count(SERVED),
        emitted: count(EMITTED),
      },
    ];
  });
  const polling = healing.length > 0;
  useEffect(() => {
    if (!polling) return undefined;
    const t = setInterval(() => setTick(n => n + 1), HEALING_POLL_MS);
    return () => clearInterval(t);
  }, [polling]);
  if (!healing.length) return null;
  return (
    <>
      {healing.map(h => (
        <Alert
          severity="info"
          key={h.name}
          style={{ marginBottom: 16 }}
          data-testid="inventory-healing-banner"
        >
          {`${h.served} of ${h.emitted} clusters served, healing`}
          {healing.length > 1 ? ` (${h.title})` : ''}: the catalog is stitching
          clusters from the inventory again; the list fills in as it does.
        </Alert>
      ))}
    </>
  );
};
