import { InputError } from '@backstage/errors';
import { ClusterDraft, draftFromFields, toEntityName } from './clusterDraft';

/** Fields of a cluster an HTTP inventory record can fill (each a dot path into the record). */
export type HttpField =
  | 'id'
  | 'name'
  | 'title'
  | 'description'
  | 'engine'
  | 'version'
  | 'environment'
  | 'owner'
  | 'system'
  | 'region'
  | 'nodes'
  | 'endpoints'
  | 'maintenanceWindow'
  | 'labels'
  | 'annotations'
  | 'tags';

/** Default dot path per field: the field's own name. */
export const DEFAULT_HTTP_FIELDS: Record<HttpField, string> = {
  id: 'id',
  name: 'name',
  title: 'title',
  description: 'description',
  engine: 'engine',
  version: 'version',
  environment: 'environment',
  owner: 'owner',
  system: 'system',
  region: 'region',
  nodes: 'nodes',
  endpoints: 'endpoints',
  maintenanceWindow: 'maintenanceWindow',
  labels: 'labels',
  annotations: 'annotations',
  tags: 'tags',
};

/** Reads `a.b.0.c` out of a JSON value. */
export function getPath(value: unknown, path: string): unknown {
  if (!path) return value;
  let current: any = value;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = current[part];
  }
  return current;
}

/**
 * Maps a CMDB-style JSON document to cluster drafts. `itemsPath` points at the
 * array of records ('' when the document is the array).
 */
export function httpClusters(
  doc: unknown,
  options: {
    itemsPath: string;
    fields: Record<HttpField, string>;
    nodeField?: string;
  },
): ClusterDraft[] {
  const items = getPath(doc, options.itemsPath);
  if (!Array.isArray(items)) {
    throw new InputError(
      `expected an array of clusters at ${
        options.itemsPath ? `'${options.itemsPath}'` : 'the top of the document'
      }, found ${items === undefined ? 'nothing' : typeof items}`,
    );
  }
  return items.map((record, index) => {
    const get = (field: string) =>
      getPath(record, options.fields[field as HttpField]);
    const rawName = get('name') ?? get('id');
    const id = String(get('id') ?? rawName ?? `#${index}`);
    let nodes = get('nodes');
    if (Array.isArray(nodes) && options.nodeField) {
      nodes = nodes.map(n =>
        typeof n === 'object' && n ? getPath(n, options.nodeField!) : n,
      );
    }
    return draftFromFields(get, {
      origin: `record ${id} (item ${index})`,
      sourceId: id,
      name: rawName === undefined ? '' : toEntityName(String(rawName)),
      nodes: nodes ?? [],
    });
  });
}
