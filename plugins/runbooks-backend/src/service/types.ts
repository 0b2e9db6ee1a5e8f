import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { StartRunRequest } from '@fleetdeck/plugin-runbooks-common';
import { Request } from 'express';
import { RunBroker } from '../broker/RunBroker';
import { RunStore } from '../database/RunStore';
import { ParameterVault } from '../engine/secrets';
import { DefinitionSnapshots } from '../trust/DefinitionSnapshots';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import { RunNotifier } from './RunNotifier';

/** Who asked, for audit events and checks. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The HTTP request, when there is one (the auditor reads the actor from it). */
  request?: Request;
}

/**
 * Whatever starts runs on a caller's behalf: a person, a template step or an
 * agent. Schedules start theirs with `RunbooksService.startScheduledRun`.
 */
export interface StartRunOptions extends StartRunRequest {
  retryOf?: string;
}

/** What the runbooks service is built from (see `plugin.ts`). */
export interface RunbooksServiceDeps {
  store: RunStore;
  catalog: CatalogService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  logger: LoggerService;
  notifier: RunNotifier;
  /** Wakes workers, aborts cancelled runs, tells live streams what changed. */
  broker: RunBroker;
  /** Encrypts secret parameters where runs are stored (none: such runs are refused). */
  vault?: ParameterVault;
  /** Which runbooks may run, on which targets. */
  trust: TrustPolicy;
  /** Which configured secrets each runbook may use. */
  secrets?: SecretScopes;
  /** Pins a run's runbook files at its start (none: executors read them live). */
  snapshots?: DefinitionSnapshots;
}
