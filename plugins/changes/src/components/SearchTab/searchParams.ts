import { SearchQuery } from '@fleetdeck/plugin-changes-common';
import { splitList } from '../shared/format';

/** The search form's fields, as typed. */
export interface SearchFields {
  query: string;
  regex: boolean;
  ignoreCase: boolean;
  owner: string;
  system: string;
  tag: string;
  files: string;
}

const listFields = ['owner', 'system', 'tag', 'files'] as const;

/** The fields a URL holds (so a search can be shared and survives navigation). */
export function fieldsFromParams(params: URLSearchParams): SearchFields {
  return {
    query: params.get('q') ?? '',
    regex: params.get('regex') === 'true',
    ignoreCase: params.get('ignoreCase') === 'true',
    owner: params.get('owner') ?? '',
    system: params.get('system') ?? '',
    tag: params.get('tag') ?? '',
    files: params.get('files') ?? '',
  };
}

/** The URL parameters of a search. */
export function fieldsToParams(fields: SearchFields): URLSearchParams {
  const params = new URLSearchParams({ q: fields.query.trim() });
  if (fields.regex) params.set('regex', 'true');
  if (fields.ignoreCase) params.set('ignoreCase', 'true');
  for (const name of listFields) {
    if (fields[name].trim()) params.set(name, fields[name].trim());
  }
  return params;
}

/** The `POST /search` body of the fields; lists are comma-separated. */
export function fieldsToQuery(fields: SearchFields): SearchQuery {
  const query: SearchQuery = {
    query: fields.query.trim(),
    regex: fields.regex,
    ignoreCase: fields.ignoreCase,
  };
  for (const name of listFields) {
    const values = splitList(fields[name]);
    if (values.length) query[name] = values;
  }
  return query;
}
