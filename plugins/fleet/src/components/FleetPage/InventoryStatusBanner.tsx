import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import Alert from '@material-ui/lab/Alert';

/**
 * Warns when an inventory provider's last refresh was refused or failed: the
 * provider's status Location entity then carries the reason as a processing error.
 */
export const InventoryStatusBanner = () => {
  const catalogApi = useApi(catalogApiRef);
  const { value } = useAsync(
    () =>
      catalogApi.getEntities({
        filter: { kind: 'location', 'spec.type': 'fleet-inventory' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'status',
        ],
      }),
    [catalogApi],
  );
  const failing = (value?.items ?? []).filter(
    e => (e as any).status?.items?.length,
  );
  if (!failing.length) return null;
  return (
    <>
      {failing.map(e => (
        <Alert
          severity="warning"
          key={e.metadata.name}
          style={{ marginBottom: 16 }}
        >
          <EntityRefLink entityRef={e}>
            {e.metadata.title ?? e.metadata.name}
          </EntityRefLink>
          {': '}
          {(e as any).status.items.map((i: any) => i.error?.message).join(' ')}
        </Alert>
      ))}
    </>
  );
};
