import { InputError } from '@backstage/errors';
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

  protected async load(): Promise<ClusterDraft[]> {
    const where = this.describeSource();
    let response: Response;
    try {
      response = await fetch(this.source.url, {
        headers: { accept: 'application/json', ...this.source.headers },
        signal: AbortSignal.timeout(this.source.timeoutMs),
        redirect: 'follow',
      });
    } catch (e: any) {
      if (e?.name === 'TimeoutError') {
        throw new Error(
          `${where} did not answer within ${
            this.source.timeoutMs / 1000
          } s (timeout)`,
        );
      }
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message;
      throw new Error(`${where} is unreachable: ${cause}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(
        `${where} answered HTTP ${response.status} ${response.statusText}`.trim(),
      );
    }
    const type = response.headers.get('content-type') ?? '';
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > this.source.maxBytes) {
      await response.body?.cancel();
      throw new InputError(
        `${where} sent ${length} bytes, more than the limit of ${this.source.maxBytes}`,
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e: any) {
      if (e?.name === 'TimeoutError') {
        throw new Error(
          `${where} did not finish its answer within ${
            this.source.timeoutMs / 1000
          } s (timeout)`,
        );
      }
      throw e;
    }
    // Without a content-length the size is only known once the body is in.
    if (Buffer.byteLength(text) > this.source.maxBytes) {
      throw new InputError(
        `${where} sent more than the limit of ${this.source.maxBytes} bytes`,
      );
    }
    if (!/json/i.test(type)) {
      const hint = /^\s*</.test(text)
        ? ' (an HTML page: a login page or a wrong URL?)'
        : '';
      throw new InputError(
        `${where} answered with ${
          type || 'no content type'
        } instead of JSON${hint}`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError(
        `${where} sent invalid JSON: ${(e as Error).message}`,
      );
    }
    return httpClusters(doc, {
      itemsPath: this.source.itemsPath,
      fields: this.source.fields,
      nodeField: this.source.nodeField,
    });
  }
}
