import { makeValidator } from '@backstage/catalog-model';
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

const validators = makeValidator();

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a JSON value is, for messages that must not quote it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A name or id is text or a number; anything else (object, array, boolean) is no name. */
const scalar = (v: unknown): string | undefined =>
  (typeof v === 'string' && v.trim() !== '') ||
  (typeof v === 'number' && Number.isFinite(v))
    ? String(v)
    : undefined;

/**
 * Checks a labels/annotations map the way the catalog will. The catalog's own
 * validation error quotes the offending value into the cluster's
 * world-readable status, and a CMDB record may hold anything: here an invalid
 * entry is reported by its key (when the key itself is valid) or by its
 * position, never by its value, and left out of the entity. The report is a
 * processing error on the cluster, so the catalog keeps its last good version
 * until the record is fixed, as it would for any invalid field.
 */
function checkedMap(
  value: unknown,
  field: 'labels' | 'annotations',
  problems: string[],
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problems.push(`${field}: ${kindOf(value)} instead of a map of ${field}`);
    return undefined;
  }
  const validKey =
    field === 'labels'
      ? validators.isValidLabelKey
      : validators.isValidAnnotationKey;
  const validValue =
    field === 'labels'
      ? validators.isValidLabelValue
      : validators.isValidAnnotationValue;
  const out: Record<string, string> = {};
  Object.entries(value).forEach(([key, v], i) => {
    if (!validKey(key)) {
      problems.push(
        `${field}: the key of entry ${i + 1} is not a valid ${
          field === 'labels' ? 'label' : 'annotation'
        } key`,
      );
      return;
    }
    const text =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : undefined;
    if (text === undefined || !validValue(text)) {
      problems.push(
        `${field}.${key}: ${
          text === undefined
            ? `${kindOf(v)} instead of text`
            : `not a valid ${field === 'labels' ? 'label' : 'annotation'} value`
        }`,
      );
      return;
    }
    out[key] = text;
  });
  return out;
}

/** Checks tags as the catalog will once normalised as the entity builder does; same reporting. */
function checkedTags(
  value: unknown,
  problems: string[],
): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`tags: ${kindOf(value)} instead of a list`);
    return undefined;
  }
  return value.filter((tag, i) => {
    const ok =
      (typeof tag === 'string' || typeof tag === 'number') &&
      validators.isValidTag(toEntityName(String(tag)));
    if (!ok) problems.push(`tags.${i}: not a valid tag`);
    return ok;
  });
}

/**
 * Maps a CMDB-style JSON document to cluster drafts. `itemsPath` points at the
 * array of records ('' when the document is the array).
 *
 * Messages about a record name it by its position and cluster name, and name
 * fields, never a field's value: a CMDB answer may carry anything, and these
 * messages reach the log and the world-readable inventory status entity.
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
      }, found ${items === undefined ? 'nothing' : kindOf(items)}`,
    );
  }
  return items.map((record, index) => {
    if (!isRecord(record)) {
      return {
        origin: `item ${index} (${kindOf(record)}, not an object)`,
        sourceId: `#${index}`,
        name: '',
        nodes: [],
      };
    }
    const get = (field: string) =>
      getPath(record, options.fields[field as HttpField]);
    const id = scalar(get('id'));
    const rawName = scalar(get('name')) ?? id;
    const name = rawName === undefined ? '' : toEntityName(rawName);
    const nameFields = [...new Set([options.fields.name, options.fields.id])]
      .map(f => `'${f}'`)
      .join(' or ');
    let origin = `item ${index} (cluster ${name})`;
    if (!name)
      origin =
        rawName === undefined
          ? `item ${index} (no text in ${nameFields})`
          : `item ${index} (no letter or digit in ${nameFields})`;
    let nodes = get('nodes');
    if (Array.isArray(nodes) && options.nodeField) {
      nodes = nodes.map(n =>
        typeof n === 'object' && n ? getPath(n, options.nodeField!) : n,
      );
    }
    const problems: string[] = [];
    const checked: Record<string, unknown> = {
      labels: checkedMap(get('labels'), 'labels', problems),
      annotations: checkedMap(get('annotations'), 'annotations', problems),
      tags: checkedTags(get('tags'), problems),
    };
    const draft = draftFromFields(
      field => (field in checked ? checked[field] : get(field)),
      {
        origin,
        sourceId: id ?? rawName ?? `#${index}`,
        name,
        nodes: nodes ?? [],
      },
    );
    return problems.length ? { ...draft, problems } : draft;
  });
}
