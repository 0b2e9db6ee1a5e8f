import { RunStatus } from '@fleetdeck/plugin-runbooks-common';
import { RunChange } from './RunBroker';

/** The events service topic every replica's broker publishes and hears. */
export const RUN_BROKER_TOPIC = 'runbooks.runs';

/** One broker event as it travels between replicas. */
export type BrokerEvent =
  | { kind: 'wake' }
  | { kind: 'abort'; runId: string }
  | { kind: 'change'; change: RunChange }
  | { kind: 'finished'; runId: string; status: RunStatus };

/**
 * The payload of one events service event: the events a replica sent in one
 * go (those of one moment travel together), and which replica sent them so
 * that it does not hear them a second time.
 */
export interface BrokerEnvelope {
  v: 1;
  origin: string;
  events: BrokerEvent[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0;

function isChange(value: unknown): value is RunChange {
  if (!isObject(value) || !isString(value.runId)) return false;
  switch (value.type) {
    case 'target':
      return isString(value.targetId) && isString(value.status);
    case 'logs':
      return true;
    case 'run':
      return value.status === undefined || isString(value.status);
    default:
      return false;
  }
}

function isEvent(value: unknown): value is BrokerEvent {
  if (!isObject(value)) return false;
  switch (value.kind) {
    case 'wake':
      return true;
    case 'abort':
      return isString(value.runId);
    case 'change':
      return isChange(value.change);
    case 'finished':
      return isString(value.runId) && isString(value.status);
    default:
      return false;
  }
}

/**
 * Reads an envelope another replica sent; undefined for anything else on
 * the topic (an unknown version, a malformed event). Events it cannot read
 * inside a readable envelope are left out.
 */
export function readEnvelope(payload: unknown): BrokerEnvelope | undefined {
  if (!isObject(payload) || payload.v !== 1 || !isString(payload.origin)) {
    return undefined;
  }
  if (!Array.isArray(payload.events)) return undefined;
  return {
    v: 1,
    origin: payload.origin,
    events: payload.events.filter(isEvent),
  };
}
