import { Redactor } from '@fleetdeck/fleetdeck-node';
import express from 'express';

/**
 * What responses pass before they leave: the worker redacted run output
 * when it stored it; this catches what was stored otherwise (older runs,
 * notes, comments) and errors quoting input.
 */
export interface ResponseRedaction {
  /** Redacts every configured secret. */
  redactor: Redactor;
  /** Redacts every configured secret and the run's secret parameters. */
  redactorFor(runId: string): Promise<Redactor>;
}

/** No secrets configured: nothing to redact. */
export const noRedaction: ResponseRedaction = {
  redactor: new Redactor(),
  redactorFor: async () => new Redactor(),
};

/** Error middleware: an error may quote input or stored text, so its message is redacted too. */
export function redactErrors(redaction: ResponseRedaction) {
  return (
    error: unknown,
    _req: express.Request,
    _res: express.Response,
    next: express.NextFunction,
  ) => {
    if (error instanceof Error && redaction.redactor.active) {
      try {
        error.message = redaction.redactor.redact(error.message);
        if (error.stack) error.stack = redaction.redactor.redact(error.stack);
      } catch {
        // a read-only message: the error goes on as it is
      }
    }
    next(error);
  };
}
