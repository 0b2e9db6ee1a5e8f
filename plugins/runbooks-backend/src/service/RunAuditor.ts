import {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { audited, Redactor } from '@fleetdeck/fleetdeck-node';

/** What an audited call names: its event, the request and what it acts on. */
export type AuditedCall = Pick<
  AuditorServiceCreateEventOptions,
  'eventId' | 'request' | 'severityLevel'
> & { meta: JsonObject };

/**
 * Audit events of the service's mutating calls, with every configured
 * secret redacted from what they record (the shared `audited` of
 * `@fleetdeck/fleetdeck-node`).
 */
export class RunAuditor {
  /** Made at first use: the secrets' values are read once. */
  private redactorCache?: Redactor;

  constructor(
    private readonly deps: {
      auditor: AuditorService;
      /** The values of every configured secret. */
      secretValues: () => string[];
    },
  ) {}

  /**
   * Runs `fn` as one audit event: success (with the meta `fn` put into
   * `outcome`) when it returns, failure with its error (redacted for every
   * caller: the API, the scaffolder's task log, agents) when it throws.
   */
  audited<T>(
    call: AuditedCall,
    fn: (outcome: JsonObject) => Promise<T>,
  ): Promise<T> {
    this.redactorCache ??= new Redactor(this.deps.secretValues());
    return audited(
      this.deps.auditor,
      {
        ...call,
        redactor: this.redactorCache,
        // a secret typed into a target ref or an id is refused before it
        // reaches the catalog, whose own audit events would name it
        refuseSecretsInMeta:
          'The request holds the value of a configured secret (shown as *** in the audit event); no target or id may',
      },
      fn,
    );
  }
}
