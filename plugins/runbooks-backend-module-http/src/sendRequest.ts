import { PinnedHost } from '@fleetdeck/plugin-runbooks-node';
import { IncomingMessage, request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';

/** Statuses whose `location` is followed (as `fetch` does). */
export const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

const isRedirect = (response: IncomingMessage) =>
  REDIRECT_STATUSES.includes(response.statusCode ?? 0) &&
  Boolean(response.headers.location);

/** One HTTP exchange: status, headers and at most `maxBytes` of the body. */
export interface HttpExchange {
  status: number;
  statusText: string;
  headers: IncomingMessage['headers'];
  text: string;
  truncated: boolean;
}

/**
 * Sends one request to the address the network policy checked (the pinned
 * `lookup`, a fresh connection each time) and reads the response body up to
 * `maxBytes`, stopping the download there instead of buffering it whole.
 */
export async function sendRequest(
  url: URL,
  options: {
    pinned: PinnedHost;
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    maxBytes: number;
  },
): Promise<HttpExchange> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      {
        protocol: url.protocol,
        hostname: options.pinned.host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: options.method,
        headers: options.body
          ? {
              ...options.headers,
              'Content-Length': String(Buffer.byteLength(options.body)),
            }
          : options.headers,
        lookup: options.pinned.lookup,
        agent: false,
        signal: options.signal,
      },
      resolve,
    );
    req.once('error', reject);
    req.end(options.body);
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    // a redirect's body is not read: only its location matters
    for await (const chunk of isRedirect(response)
      ? []
      : (response as AsyncIterable<Buffer>)) {
      const room = options.maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    response.destroy();
  }
  return {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? '',
    headers: response.headers,
    text: Buffer.concat(chunks).toString('utf8'),
    truncated,
  };
}
