import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApprovalRequest,
  FleetMaintenanceResponse,
  ListLogsResponse,
  ListRunbooksResponse,
  ListRunsResponse,
  ListTargetsResponse,
  RunStreamEvent,
  RunSummary,
  RunbookSummary,
  StartRunRequest,
  TargetRun,
  TargetStatus,
} from '@fleetdeck/plugin-runbooks-common';
import { ListRunsQuery, RunbooksApi } from './RunbooksApi';
import { createEventStreamParser } from './parseEventStream';

type Query = Record<string, string | number | string[] | undefined>;

function toSearch(query: Query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      params.append(key, String(v));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function refPath(entityRef: string) {
  const match = /^[^:]+:([^/]+)\/(.+)$/.exec(entityRef);
  if (!match) throw new Error(`Invalid runbook ref '${entityRef}'`);
  return `${encodeURIComponent(match[1])}/${encodeURIComponent(match[2])}`;
}

/** Talks to the runbooks backend through the discovery and fetch APIs. @public */
export class RunbooksClient implements RunbooksApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  private async request<T>(
    path: string,
    init?: { method?: string; body?: unknown; signal?: AbortSignal },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('runbooks');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers:
        init?.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : undefined,
      body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: init?.signal,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }

  listRunbooks(query: { entityRef?: string } = {}) {
    return this.request<ListRunbooksResponse>(`/runbooks${toSearch(query)}`);
  }

  getRunbook(runbookRef: string) {
    return this.request<RunbookSummary>(`/runbooks/${refPath(runbookRef)}`);
  }

  startRun(request: StartRunRequest) {
    return this.request<RunSummary>('/runs', { method: 'POST', body: request });
  }

  listRuns(query: ListRunsQuery = {}) {
    return this.request<ListRunsResponse>(`/runs${toSearch({ ...query })}`);
  }

  getRun(runId: string) {
    return this.request<RunSummary>(`/runs/${encodeURIComponent(runId)}`);
  }

  listTargets(
    runId: string,
    query: { status?: TargetStatus[]; offset?: number; limit?: number } = {},
  ) {
    return this.request<ListTargetsResponse>(
      `/runs/${encodeURIComponent(runId)}/targets${toSearch(query)}`,
    );
  }

  getTarget(runId: string, targetId: string) {
    return this.request<TargetRun>(
      `/runs/${encodeURIComponent(runId)}/targets/${encodeURIComponent(
        targetId,
      )}`,
    );
  }

  listLogs(
    runId: string,
    query: {
      targetId?: string;
      scope?: 'run';
      after?: number;
      limit?: number;
    } = {},
  ) {
    return this.request<ListLogsResponse>(
      `/runs/${encodeURIComponent(runId)}/logs${toSearch(query)}`,
    );
  }

  // fetch rather than EventSource: EventSource cannot send the Backstage token.
  async streamRun(
    runId: string,
    options: {
      targetId?: string;
      after?: number;
      signal: AbortSignal;
      onEvent: (event: RunStreamEvent) => void;
    },
  ) {
    const baseUrl = await this.discoveryApi.getBaseUrl('runbooks');
    const query = toSearch({
      targetId: options.targetId,
      after: options.after,
    });
    const response = await this.fetchApi.fetch(
      `${baseUrl}/runs/${encodeURIComponent(runId)}/stream${query}`,
      { headers: { Accept: 'text/event-stream' }, signal: options.signal },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const push = createEventStreamParser(({ data }) => {
      options.onEvent(JSON.parse(data) as RunStreamEvent);
    });
    if (!response.body) {
      push(await response.text());
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      push(decoder.decode(value, { stream: true }));
    }
  }

  getFleetMaintenance(query: { kind?: string } = {}) {
    return this.request<FleetMaintenanceResponse>(
      `/fleet/maintenance${toSearch(query)}`,
    );
  }

  approve(runId: string, request: ApprovalRequest = {}) {
    return this.request<RunSummary>(
      `/runs/${encodeURIComponent(runId)}/approve`,
      { method: 'POST', body: request },
    );
  }

  reject(runId: string, request: ApprovalRequest = {}) {
    return this.request<RunSummary>(
      `/runs/${encodeURIComponent(runId)}/reject`,
      { method: 'POST', body: request },
    );
  }

  cancel(runId: string) {
    return this.request<RunSummary>(
      `/runs/${encodeURIComponent(runId)}/cancel`,
      { method: 'POST', body: {} },
    );
  }

  retryFailed(runId: string) {
    return this.request<RunSummary>(
      `/runs/${encodeURIComponent(runId)}/retry`,
      { method: 'POST', body: {} },
    );
  }
}
