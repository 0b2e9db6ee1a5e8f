import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { listenLocal } from './listen';
import {
  FakeAwxJob,
  FakeAwxJson,
  FakeAwxTemplate,
  templateJson,
} from './awxJob';

export type {
  FakeAwxEvent,
  FakeAwxHostResult,
  FakeAwxJson,
  FakeAwxTemplate,
} from './awxJob';

/** One launch, as the fake received it (the request's own fields). @public */
export interface FakeAwxLaunch {
  templateId: number;
  jobId: number;
  limit?: string;
  extraVars?: FakeAwxJson;
  jobType?: string;
}

/** Options of {@link FakeAwxServer}. @public */
export interface FakeAwxServerOptions {
  /** The bearer token it accepts; default `fake-awx-token`. */
  token?: string;
  templates?: FakeAwxTemplate[];
  /** API root; default `/api/v2/`, `/api/controller/v2/` behind an AAP 2.5 gateway. */
  apiPath?: string;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: FakeAwxJson) {
    super(String(status));
  }
}

const notFound = () => new HttpError(404, { detail: 'Not found.' });

/**
 * A fake AWX / Ansible Automation Platform controller speaking API v2 over
 * real HTTP on 127.0.0.1: job templates, launch, jobs, job events, cancel and
 * the jobs settings. Tests set `latencyMs`, inject failures with `failNext`,
 * and read `launches`, `cancels` and `requests`.
 * @public
 */
export class FakeAwxServer {
  /** Delay before every answer, in ms. */
  latencyMs = 0;
  /** Served as `ALLOW_JINJA_IN_EXTRA_VARS` at `settings/jobs/`. */
  allowJinjaInExtraVars: 'always' | 'template' | 'never' = 'template';
  /** When false, `settings/jobs/` answers 403, as it does for non-admin tokens. */
  settingsReadable = true;
  /** Every launch, in order. */
  readonly launches: FakeAwxLaunch[] = [];
  /** Ids of the jobs a cancel was POSTed for. */
  readonly cancels: number[] = [];
  /** Called with each launch as it is accepted. */
  onLaunch?: (launch: FakeAwxLaunch) => void;
  /** Every request: method and path with query. */
  readonly requests: Array<{ method: string; url: string }> = [];

  private server?: Server;
  private readonly templates = new Map<number, FakeAwxTemplate>();
  private readonly jobs = new Map<number, FakeAwxJob>();
  private nextJobId = 100;
  private failures: Array<{ status: 429 | 503; retryAfter?: number }> = [];

  constructor(private readonly options: FakeAwxServerOptions = {}) {
    for (const t of options.templates ?? []) this.addTemplate(t);
  }

  get token() {
    return this.options.token ?? 'fake-awx-token';
  }

  get apiPath() {
    return this.options.apiPath ?? '/api/v2/';
  }

  /** The base URL (`http://127.0.0.1:<port>`), once started. */
  get url() {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('FakeAwxServer is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  addTemplate(template: FakeAwxTemplate) {
    this.templates.set(template.id, template);
  }

  /** The next `count` requests answer `status` (with `Retry-After: retryAfter` seconds). */
  failNext(count: number, status: 429 | 503, retryAfter?: number) {
    for (let i = 0; i < count; i++) this.failures.push({ status, retryAfter });
  }

  /** The status a job has now, as `GET jobs/<id>/` reports it. */
  jobStatus(id: number): string | undefined {
    return this.jobs.get(id)?.status;
  }

  /** Listens on 127.0.0.1 at `port` (default: any free port). */
  async start(options: { port?: number } = {}) {
    const server = createServer((req, res) => this.handle(req, res));
    await listenLocal(server, options.port);
    this.server = server;
  }

  async stop() {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>(r => server.close(() => r()));
    this.server = undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      this.requests.push({ method, url: req.url ?? '' });
      const answer = (status: number, data: FakeAwxJson, headers = {}) =>
        setTimeout(() => {
          if (res.destroyed) return;
          const type = { 'content-type': 'application/json' };
          res.writeHead(status, { ...type, ...headers });
          res.end(status === 202 ? '' : JSON.stringify(data));
        }, this.latencyMs);
      const failure = this.failures.shift();
      if (failure) {
        const { status, retryAfter } = failure;
        const headers =
          retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
        answer(status, { detail: 'Injected failure.' }, headers);
      } else if (req.headers.authorization !== `Bearer ${this.token}`) {
        answer(401, {
          detail: 'Authentication credentials were not provided.',
        });
      } else {
        try {
          answer(...this.route(method, req.url ?? '/', body));
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          answer(e.status, e.body);
        }
      }
    });
  }

  private route(
    method: string,
    path: string,
    body: string,
  ): [number, FakeAwxJson] {
    const url = new URL(path, 'http://fake');
    if (!url.pathname.startsWith(this.apiPath)) throw notFound();
    const [collection, rawId, action] = url.pathname
      .slice(this.apiPath.length)
      .split('/')
      .filter(Boolean);
    const id = Number(rawId);
    const route = [
      method,
      collection,
      rawId && (/^\d+$/.test(rawId) ? ':id' : rawId),
      action,
    ]
      .filter(Boolean)
      .join(' ');
    switch (route) {
      case 'GET job_templates': {
        const name = url.searchParams.get('name');
        const found = [...this.templates.values()]
          .filter(t => name === null || t.name === name)
          .map(t => templateJson(t, this.apiPath));
        return [200, this.page(url, found)];
      }
      case 'GET job_templates :id':
        return [200, templateJson(this.template(id), this.apiPath)];
      case 'POST job_templates :id launch':
        return [201, this.launch(this.template(id), body)];
      case 'GET jobs :id':
        return [200, this.job(id).toJson(this.apiPath)];
      case 'GET jobs :id job_events': {
        const after = Number(url.searchParams.get('counter__gt') ?? 0);
        return [
          200,
          this.page(url, this.job(id).eventsAfter(after, this.apiPath)),
        ];
      }
      case 'GET jobs :id cancel':
        return [200, { can_cancel: this.job(id).canCancel }];
      case 'POST jobs :id cancel':
        return this.cancel(id);
      case 'GET settings jobs':
        if (!this.settingsReadable) {
          const detail = 'You do not have permission to perform this action.';
          throw new HttpError(403, { detail });
        }
        return [200, { ALLOW_JINJA_IN_EXTRA_VARS: this.allowJinjaInExtraVars }];
      default:
        throw notFound();
    }
  }

  private template(id: number) {
    const template = this.templates.get(id);
    if (!template) throw notFound();
    return template;
  }

  private job(id: number) {
    const job = this.jobs.get(id);
    if (!job) throw notFound();
    return job;
  }

  /** A DRF page: `next` is the request's own path with `page` replaced. */
  private page(url: URL, items: FakeAwxJson[]) {
    const size = Math.min(Number(url.searchParams.get('page_size')) || 25, 200);
    const page = Number(url.searchParams.get('page')) || 1;
    const link = (n: number) => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      return `${next.pathname}${next.search}`;
    };
    return {
      count: items.length,
      next: page * size < items.length ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: items.slice((page - 1) * size, page * size),
    };
  }

  /** As AWX: fields the template does not prompt for are ignored and listed. */
  private launch(t: FakeAwxTemplate, body: string) {
    const data = (body ? JSON.parse(body) : {}) as Record<string, FakeAwxJson>;
    const sent = {
      limit: typeof data.limit === 'string' ? data.limit : undefined,
      extra_vars:
        typeof data.extra_vars === 'string'
          ? (JSON.parse(data.extra_vars || '{}') as FakeAwxJson)
          : data.extra_vars,
      job_type: typeof data.job_type === 'string' ? data.job_type : undefined,
    };
    const asks = {
      limit: t.askLimitOnLaunch,
      extra_vars: t.askVariablesOnLaunch,
      job_type: t.askJobTypeOnLaunch,
    };
    const ignored: Record<string, FakeAwxJson> = {};
    for (const field of ['limit', 'extra_vars', 'job_type'] as const) {
      const value = sent[field];
      if (value !== undefined && !asks[field]) ignored[field] = value;
    }
    const accepted = <T>(field: keyof typeof sent, value: T | undefined) =>
      field in ignored ? undefined : value;
    const job = new FakeAwxJob(
      this.nextJobId++,
      t,
      accepted('limit', sent.limit) ?? '',
      (accepted('extra_vars', sent.extra_vars) ?? {}) as Record<
        string,
        FakeAwxJson
      >,
      accepted('job_type', sent.job_type) ?? 'run',
    );
    this.jobs.set(job.id, job);
    const launch: FakeAwxLaunch = {
      templateId: t.id,
      jobId: job.id,
      limit: sent.limit,
      extraVars: sent.extra_vars,
      jobType: sent.job_type,
    };
    this.launches.push(launch);
    this.onLaunch?.(launch);
    return {
      job: job.id,
      ignored_fields: ignored,
      ...job.toJson(this.apiPath),
    };
  }

  private cancel(id: number): [number, FakeAwxJson] {
    const job = this.job(id);
    this.cancels.push(id);
    if (!job.canCancel) {
      throw new HttpError(405, { detail: 'Method "POST" not allowed.' });
    }
    job.cancel();
    return [202, null];
  }
}
