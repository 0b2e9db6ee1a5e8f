import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ChangeDetail,
  ChangeInput,
  ChangeSummary,
  ListRecipesResponse,
  SearchQuery,
  SearchResponse,
} from '@fleetdeck/plugin-changes-common';
import {
  ChangeDiff,
  ChangesApi,
  ListChangesQuery,
  ListChangesResponse,
} from './ChangesApi';

function toSearch(query: Record<string, string | number | undefined>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const changePath = (id: string) => `/changes/${encodeURIComponent(id)}`;

/** Talks to the changes backend through the discovery and fetch APIs. @public */
export class ChangesClient implements ChangesApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  search(query: SearchQuery) {
    return this.request<SearchResponse>('/search', 'POST', query);
  }

  listChanges(query: ListChangesQuery = {}) {
    return this.request<ListChangesResponse>(
      `/changes${toSearch({ ...query })}`,
    );
  }

  async listRecipes() {
    return (await this.request<ListRecipesResponse>('/recipes')).items;
  }

  createChange(input: ChangeInput) {
    return this.request<ChangeSummary>('/changes', 'POST', input);
  }

  getChange(id: string) {
    return this.request<ChangeDetail>(changePath(id));
  }

  getDiff(id: string, entityRef: string) {
    return this.request<ChangeDiff>(
      `${changePath(id)}/diff${toSearch({ entityRef })}`,
    );
  }

  apply(id: string, entityRefs?: string[]) {
    return this.action(id, 'apply', entityRefs ? { entityRefs } : {});
  }

  approve(id: string, entityRefs: string[]) {
    return this.action(id, 'approve', { entityRefs });
  }

  cancel(id: string) {
    return this.action(id, 'cancel');
  }

  close(id: string) {
    return this.action(id, 'close');
  }

  updateBranches(id: string) {
    return this.action(id, 'update-branches');
  }

  refresh(id: string) {
    return this.action(id, 'refresh');
  }

  private action(id: string, name: string, body: object = {}) {
    return this.request<ChangeSummary>(
      `${changePath(id)}/${name}`,
      'POST',
      body,
    );
  }

  private async request<T>(
    path: string,
    method: 'GET' | 'POST' = 'GET',
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('changes');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers:
        body !== undefined ? { 'Content-Type': 'application/json' } : undefined,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
