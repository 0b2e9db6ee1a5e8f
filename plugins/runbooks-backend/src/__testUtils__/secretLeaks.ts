import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';

/** Records every line the backend logs, of every plugin. */
export function recordingRootLogger(lines: string[]) {
  const make = (fields: Record<string, unknown>): LoggerService => {
    const log =
      (level: string) =>
      (message: string, meta?: unknown): void => {
        const extra =
          meta instanceof Error
            ? { error: String(meta), stack: meta.stack }
            : meta;
        lines.push(JSON.stringify({ level, message, meta: extra, ...fields }));
      };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => make({ ...fields, ...meta }),
    };
  };
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => make({}),
  });
}

/**
 * The ways a secret gets printed: raw, escaped inside JSON, base64,
 * base64url, hex (either case), lower-cased.
 */
export function encodedForms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
    Buffer.from(secret).toString('hex').toUpperCase(),
    secret.toLowerCase(),
  ];
}

/**
 * Throws, naming the place and quoting the lines, when the text of any
 * place (logs, responses, ...) holds any of the forbidden forms.
 */
export function expectNoSecretForms(
  places: Record<string, string>,
  forbidden: string[],
) {
  for (const [place, text] of Object.entries(places)) {
    for (const form of forbidden) {
      if (text.includes(form)) {
        throw new Error(
          `${place} holds a form of a secret: ${form} in ${text
            .split('\n')
            .filter(l => l.includes(form))
            .join('\n')
            .slice(0, 3000)}`,
        );
      }
    }
  }
}

/** A supertest parser keeping a response (an event stream) as its whole text. */
export function wholeText(
  response: {
    on(event: string, listener: (...args: any[]) => void): unknown;
  },
  callback: (error: Error | null, body: string) => void,
) {
  let text = '';
  response.on('data', (c: Buffer) => (text += c.toString()));
  response.on('end', () => callback(null, text));
}
