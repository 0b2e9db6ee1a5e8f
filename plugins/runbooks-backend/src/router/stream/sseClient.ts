import { RunStreamEvent } from '@fleetdeck/plugin-runbooks-common';
import { Redactor } from '@fleetdeck/fleetdeck-node';
import { Response } from 'express';
import { RunStreamListener } from './types';

/** Starts a server-sent event response. */
export function openEventStream(res: Response) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}

/**
 * One client's stream: events as `event: <type>` with JSON data, redacted
 * with the run's secrets; log lines carry their id (the client's
 * `Last-Event-ID` when it reconnects).
 */
export function sseListener(
  res: Response,
  redactor: Redactor,
  targetId?: string,
): RunStreamListener & { send(event: RunStreamEvent, id?: number): void } {
  const send = (event: RunStreamEvent, id?: number) => {
    if (res.writableEnded) return;
    res.write(
      `event: ${event.type}\n${
        id !== undefined ? `id: ${id}\n` : ''
      }data: ${JSON.stringify(redactor.redactJson(event))}\n\n`,
    );
    // compression middleware buffers unless told to flush
    (res as Response & { flush?: () => void }).flush?.();
  };
  return {
    targetId,
    send,
    logs: lines => lines.forEach(line => send({ type: 'log', line }, line.id)),
    target: target => send({ type: 'target', target }),
    run: run => send({ type: 'run', run }),
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}
