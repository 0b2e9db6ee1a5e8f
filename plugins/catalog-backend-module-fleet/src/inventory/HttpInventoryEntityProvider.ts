import {
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { STATUS_CODES } from 'node:http';
import { ClusterDraft } from './clusterDraft';
import { HttpField, httpClusters } from './httpClusters';
import {
  InventoryEntityProvider,
  InventoryProviderDeps,
} from './InventoryEntityProvider';

/** A CMDB-style HTTP inventory and how its records map to clusters. */
export interface HttpInventorySource {
  url: string;
  /** Request headers, e.g. the Authorization header; secret, never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  itemsPath: string;
  fields: Record<HttpField, string>;
  nodeField?: string;
}

/** Redirects followed within the inventory's own origin before giving up. */
export const MAX_INVENTORY_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A URL's origin for messages: scheme, host and port; never userinfo, path or query. */
function originOf(url: URL): string {
  return url.origin !== 'null' ? url.origin : `a ${url.protocol} URL`;
}

/**
 * The media type of a response for messages (`application/json`), without
 * parameters; a header that is not a plain media type is not quoted.
 */
function mediaType(header: string | null): string {
  const type = (header ?? '').split(';')[0].trim().toLocaleLowerCase('en-US');
  if (!type) return 'no content type';
  return /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/.test(type)
    ? type
    : 'an unrecognised content type';
}

/** Ingests clusters from a JSON document served over HTTP. */
export class HttpInventoryEntityProvider extends InventoryEntityProvider {
  constructor(
    deps: InventoryProviderDeps,
    private readonly source: HttpInventorySource,
  ) {
    super(deps, 'http');
  }

  protected describeSource(): string {
    // Never show userinfo or query strings: either may hold a credential.
    const u = new URL(this.source.url);
    return `${u.origin}${u.pathname}`;
  }

  /**
   * Reads the inventory. Nothing of the answer's body reaches a message: a
   * CMDB, a proxy or an attacker-controlled redirect target may answer with
   * anything (an error page echoing the request's token, say), and these
   * messages go to the log and the world-readable status entity. Messages
   * name the answer's size and media type only.
   */
  protected async load(): Promise<ClusterDraft[]> {
    const where = this.describeSource();
    const controller = new AbortController();
    let timedOut = false;
    let stage: 'answer' | 'finish its answer' = 'answer';
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.source.timeoutMs);
    try {
      const response = await this.fetchWithinOrigin(where, controller.signal);
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new ServiceUnavailableError(
          `${where} answered HTTP ${response.status} ${
            STATUS_CODES[response.status] ?? ''
          }`.trim(),
        );
      }
      stage = 'finish its answer';
      const type = mediaType(response.headers.get('content-type'));
      const body = await this.readCapped(response, where, controller);
      return this.parse(body, type, where);
    } catch (e) {
      if (timedOut) {
        throw new ServiceUnavailableError(
          `${where} did not ${stage} within ${
            this.source.timeoutMs / 1000
          } s (timeout)`,
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /**
   * GETs the inventory, following redirects only within its origin (scheme,
   * host and port), at most {@link MAX_INVENTORY_REDIRECTS} of them. The
   * configured headers (the CMDB token) thus never reach another origin:
   * a redirect elsewhere is refused before any request goes there.
   */
  private async fetchWithinOrigin(
    where: string,
    signal: AbortSignal,
  ): Promise<Response> {
    let url = new URL(this.source.url);
    const origin = originOf(url);
    for (let redirects = 0; ; redirects++) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json', ...this.source.headers },
          signal,
          redirect: 'manual',
        });
      } catch (e: any) {
        if (signal.aborted) throw e;
        const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message;
        throw new ServiceUnavailableError(`${where} is unreachable: ${cause}`);
      }
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) {
        return response;
      }
      await response.body?.cancel().catch(() => {});
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new InputError(
          `${where} answered HTTP ${response.status} with a Location that is not a URL`,
        );
      }
      if (originOf(next) !== origin) {
        throw new NotAllowedError(
          `${where} redirected (HTTP ${
            response.status
          }) from ${origin} to ${originOf(
            next,
          )}, another origin: refused. Redirects are followed only within ${origin}, so the configured headers never leave it; configure the final URL instead`,
        );
      }
      if (redirects >= MAX_INVENTORY_REDIRECTS) {
        throw new InputError(
          `${where} redirected more than ${MAX_INVENTORY_REDIRECTS} times`,
        );
      }
      url = next;
    }
  }

  /**
   * Reads the body chunk by chunk, counting bytes, and aborts the request as
   * soon as it passes the limit: a body without content-length (chunked) is
   * never held in memory beyond `maxInventorySize`.
   */
  private async readCapped(
    response: Response,
    where: string,
    controller: AbortController,
  ): Promise<Buffer> {
    const limit = this.source.maxBytes;
    const tooLarge = (what: string) =>
      new InputError(
        `${where} ${what} the limit of ${limit} bytes (catalog.providers.fleet.http.${this.deps.id}.maxInventorySize); the request was aborted`,
      );
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limit) {
      controller.abort();
      throw tooLarge(`announced ${declared} bytes, more than`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (!response.body) return Buffer.alloc(0);
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e: any) {
        if (controller.signal.aborted) throw e;
        const cause = e?.cause?.code ?? e?.code ?? e?.name ?? 'read error';
        throw new ServiceUnavailableError(
          `${where} broke off its answer after ${size} bytes (${cause})`,
        );
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > limit) {
        controller.abort();
        reader.cancel().catch(() => {});
        throw tooLarge(`sent more than`);
      }
      chunks.push(chunk.value);
    }
    return Buffer.concat(chunks, size);
  }

  /** JSON to cluster drafts; messages give the body's size and media type, never its text. */
  private parse(body: Buffer, type: string, where: string): ClusterDraft[] {
    const what = `${body.byteLength} bytes of ${type}`;
    if (!/json/.test(type)) {
      const html =
        /html/.test(type) || /^\s*</.test(body.subarray(0, 64).toString());
      throw new InputError(
        `${where} answered ${what} instead of JSON${
          html ? ' (an HTML page: a login page or a wrong URL?)' : ''
        }`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (e) {
      throw new InputError(
        `${where} answered ${what} that ${
          e instanceof SyntaxError ? 'are not valid JSON' : 'are not UTF-8 text'
        }`,
      );
    }
    return httpClusters(doc, {
      itemsPath: this.source.itemsPath,
      fields: this.source.fields,
      nodeField: this.source.nodeField,
    });
  }
}
