import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import Alert from '@material-ui/lab/Alert';

const STATUS = 'fleetdeck.io/inventory-status';
const MESSAGE = 'fleetdeck.io/inventory-message';

/** How much of a refresh message with warnings the banner shows; the entity has all of it. */
export const WARNING_TEXT_MAX = 300;

interface Shown {
  entity: Entity;
  severity: 'warning' | 'info';
  text: string;
}

const errorsOf = (e: Entity): string[] =>
  ((e as any).status?.items ?? []).map((i: any) => i.error?.message);

/**
 * Warns when an inventory provider's last refresh was refused or failed: the
 * provider's status Location entity then carries the reason as a processing
 * error. A refresh applied with warnings (fields that were left out, owners
 * that are not a Group or User in the catalog) is shown as information, the
 * start of its message and a link to the status entity for the rest.
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
          'metadata.annotations',
          'status',
        ],
      }),
    [catalogApi],
  );
  const shown = (value?.items ?? []).flatMap((e): Shown[] => {
    const errors = errorsOf(e);
    if (errors.length)
      return [{ entity: e, severity: 'warning', text: errors.join(' ') }];
    const message = e.metadata.annotations?.[MESSAGE] ?? '';
    if (e.metadata.annotations?.[STATUS] !== 'warnings') return [];
    return [
      {
        entity: e,
        severity: 'info',
        text:
          message.length > WARNING_TEXT_MAX
            ? `${message.slice(0, WARNING_TEXT_MAX)}…`
            : message,
      },
    ];
  });
  if (!shown.length) return null;
  return (
    <>
      {shown.map(({ entity, severity, text }) => (
        <Alert
          severity={severity}
          key={entity.metadata.name}
          style={{ marginBottom: 16 }}
          data-testid={`inventory-status-${severity}`}
        >
          <EntityRefLink entityRef={entity}>
            {entity.metadata.title ?? entity.metadata.name}
          </EntityRefLink>
          {': '}
          {text}
        </Alert>
      ))}
    </>
  );
};
