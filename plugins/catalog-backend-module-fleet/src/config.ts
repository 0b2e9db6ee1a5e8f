import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { InputError } from '@backstage/errors';
import { DEFAULT_MAX_INVENTORY_BYTES } from './ansible/readInventoryTree';
import {
  AnsibleField,
  DEFAULT_ANSIBLE_FIELDS,
} from './inventory/ansibleClusters';
import { AnsibleInventorySource } from './inventory/AnsibleInventoryEntityProvider';
import { DEFAULT_HTTP_FIELDS, HttpField } from './inventory/httpClusters';
import { HttpInventorySource } from './inventory/HttpInventoryEntityProvider';
import { DEFAULT_MAX_SHRINK_RATIO } from './inventory/shrinkGuard';
import { DEFAULT_STITCH_TIMEOUT_MS } from './reconcile/healStuckEntities';
import { DEFAULT_RECONCILE_SCHEDULE } from './reconcile/scheduleReconcile';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 3 },
};

/** Settings every inventory provider has. */
export interface CommonProviderConfig {
  id: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  maxShrinkRatio: number;
  /** How soon owners not in the catalog yet are checked again. */
  ownerRecheckMs: number;
}

/** Reads `catalog.providers.fleet.reconcile` (how often inventories are reconciled with the catalog). */
export function readReconcileConfig(config: Config): {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** The catalog's stitch timeout: how long a stitcher's claim holds (see healStuckEntities). */
  stitchTimeoutMs: number;
} {
  const c = config.getOptionalConfig('catalog.providers.fleet.reconcile');
  const stitchTimeout = 'catalog.stitchingStrategy.stitchTimeout';
  return {
    stitchTimeoutMs: config.has(stitchTimeout)
      ? durationToMilliseconds(
          readDurationFromConfig(config, { key: stitchTimeout }),
        )
      : DEFAULT_STITCH_TIMEOUT_MS,
    schedule: c?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          c.getConfig('schedule'),
        )
      : DEFAULT_RECONCILE_SCHEDULE,
  };
}

function common(
  id: string,
  c: Config,
): CommonProviderConfig & { maxBytes: number } {
  const maxShrinkRatio =
    c.getOptionalNumber('maxShrinkRatio') ?? DEFAULT_MAX_SHRINK_RATIO;
  if (!(maxShrinkRatio >= 0 && maxShrinkRatio <= 1)) {
    throw new InputError(
      `fleet inventory ${id}: maxShrinkRatio must be between 0 and 1`,
    );
  }
  return {
    id,
    schedule: c.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          c.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
    maxShrinkRatio,
    ownerRecheckMs: (c.getOptionalNumber('ownerRecheckSeconds') ?? 15) * 1000,
    maxBytes:
      c.getOptionalNumber('maxInventorySize') ?? DEFAULT_MAX_INVENTORY_BYTES,
  };
}

function fields<F extends string>(
  id: string,
  c: Config | undefined,
  defaults: Record<F, string>,
) {
  const out = { ...defaults };
  for (const key of c?.keys() ?? []) {
    if (!(key in defaults)) {
      throw new InputError(
        `fleet inventory ${id}: unknown field '${key}' (known: ${Object.keys(
          defaults,
        ).join(', ')})`,
      );
    }
    out[key as F] = c!.getString(key);
  }
  return out;
}

/** Reads `catalog.providers.fleet.ansible.<id>`. */
export function readAnsibleProviderConfigs(
  config: Config,
): Array<CommonProviderConfig & { source: AnsibleInventorySource }> {
  const root = config.getOptionalConfig('catalog.providers.fleet.ansible');
  return (root?.keys() ?? []).map(id => {
    const c = root!.getConfig(id);
    const base = common(id, c);
    const pattern = c.getOptionalString('clusters.groupPattern');
    const groupVar =
      c.getOptionalString('clusters.groupVar') ??
      (pattern ? undefined : 'fleetdeck_cluster');
    return {
      ...base,
      source: {
        path: c.getOptionalString('path'),
        url: c.getOptionalString('url'),
        directory: c.getOptionalBoolean('directory'),
        maxBytes: base.maxBytes,
        rules: {
          groupVar,
          groupPattern: pattern ? new RegExp(pattern) : undefined,
          fields: fields<AnsibleField>(
            id,
            c.getOptionalConfig('fields'),
            DEFAULT_ANSIBLE_FIELDS,
          ),
        },
      },
    };
  });
}

/** Reads `catalog.providers.fleet.http.<id>`. */
export function readHttpProviderConfigs(
  config: Config,
): Array<CommonProviderConfig & { source: HttpInventorySource }> {
  const root = config.getOptionalConfig('catalog.providers.fleet.http');
  return (root?.keys() ?? []).map(id => {
    const c = root!.getConfig(id);
    const base = common(id, c);
    const headers = c.getOptionalConfig('headers');
    return {
      ...base,
      source: {
        url: c.getString('url'),
        headers: Object.fromEntries(
          (headers?.keys() ?? []).map(k => [k, headers!.getString(k)]),
        ),
        timeoutMs: (c.getOptionalNumber('timeoutSeconds') ?? 30) * 1000,
        maxBytes: base.maxBytes,
        itemsPath: c.getOptionalString('itemsPath') ?? 'items',
        fields: fields<HttpField>(
          id,
          c.getOptionalConfig('fields'),
          DEFAULT_HTTP_FIELDS,
        ),
        nodeField: c.getOptionalString('nodeField'),
      },
    };
  });
}
