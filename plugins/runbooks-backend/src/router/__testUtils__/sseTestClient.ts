import { RunStreamEvent } from '@fleetdeck/plugin-runbooks-common';
import { get, IncomingMessage } from 'http';

/** A server-sent events client for tests: every event it got, parsed. */
export interface TestStreamClient {
  events: RunStreamEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream (headers such as `Last-Event-ID` optional). */
export function openStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<TestStreamClient> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream answered ${res.statusCode}`));
        return;
      }
      const events: RunStreamEvent[] = [];
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end = text.indexOf('\n\n');
        while (end >= 0) {
          const data = text
            .slice(0, end)
            .split('\n')
            .find(line => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)));
          text = text.slice(end + 2);
          end = text.indexOf('\n\n');
        }
      });
      const ended = new Promise<void>(done => {
        res.on('end', () => done());
        res.on('close', () => done());
      });
      resolve({ events, ended, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 20));
  }
}
