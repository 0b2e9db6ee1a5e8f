import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { DeploymentsApi } from './DeploymentsApi';

/** Talks to the deployments backend through discovery and the fetch API. */
export class DeploymentsClient implements DeploymentsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getOverview(entityRef: string) {
    return this.get('/v1/entity/deployments', { entityRef });
  }

  getDiff(options: Parameters<DeploymentsApi['getDiff']>[0]) {
    return this.get('/v1/entity/diff', { ...options, files: 'true' });
  }

  async getRangeFiles(options: {
    entityRef: string;
    base: string;
    head: string;
  }) {
    return (await this.get('/v1/entity/diff/files', options)).files;
  }

  getDrift(filter: { owner?: string; system?: string } = {}) {
    return this.get('/v1/drift', filter);
  }

  private async get(
    path: string,
    query: Record<string, string | number | undefined>,
  ) {
    const base = await this.deps.discoveryApi.getBaseUrl('deployments');
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const res = await this.deps.fetchApi.fetch(`${base}${path}?${params}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }
}
