import { LoggerService } from '@backstage/backend-plugin-api';
import { Redactor } from './Redactor';

/**
 * A logger that redacts messages and metadata (an error's message and
 * stack included) before `logger` sees them.
 * @public
 */
export function redactingLogger(
  logger: LoggerService,
  redactor: Redactor | (() => Redactor),
): LoggerService {
  const current = typeof redactor === 'function' ? redactor : () => redactor;
  const meta = (m: unknown) => {
    const r = current();
    if (!m || !r.active) return m;
    if (m instanceof Error) {
      const copy = new Error(r.redact(m.message));
      copy.name = m.name;
      copy.stack = m.stack && r.redact(m.stack);
      return copy;
    }
    return r.redactJson(m);
  };
  const level =
    (name: 'error' | 'warn' | 'info' | 'debug') => (message: string, m?: any) =>
      m === undefined
        ? logger[name](current().redact(message))
        : logger[name](current().redact(message), meta(m) as any);
  return {
    error: level('error'),
    warn: level('warn'),
    info: level('info'),
    debug: level('debug'),
    child: m => redactingLogger(logger.child(meta(m) as any), current),
  };
}
