// The demo fleet as the catalog holds it: examples/inventory read by the
// catalog module's own Ansible code, and the demo's version policy from
// app-config.yaml, so component tests count what the portal shows.
// Test-only: the demo's files are read from disk, never in the browser.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from 'fs';
// eslint-disable-next-line no-restricted-imports
import { resolve } from 'path';
import { parse } from 'yaml';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import type { RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
/* eslint-disable @backstage/no-relative-monorepo-imports */
import { loadAnsibleInventory } from '../../../../../catalog-backend-module-fleet/src/ansible/loadAnsibleInventory';
import { readInventoryFromPath } from '../../../../../catalog-backend-module-fleet/src/ansible/readInventoryTree';
import {
  ansibleClusters,
  DEFAULT_ANSIBLE_FIELDS,
} from '../../../../../catalog-backend-module-fleet/src/inventory/ansibleClusters';
import { draftToEntity } from '../../../../../catalog-backend-module-fleet/src/inventory/clusterDraft';
/* eslint-enable @backstage/no-relative-monorepo-imports */

const repo = resolve(__dirname, '../../../../../..');

/** The 95 demo clusters, as Cluster entities. */
export async function demoClusters(): Promise<Entity[]> {
  const tree = await readInventoryFromPath(
    resolve(repo, 'examples/inventory/hosts.ini'),
  );
  const drafts = ansibleClusters(loadAnsibleInventory(tree), {
    groupVar: 'fleetdeck_cluster',
    fields: DEFAULT_ANSIBLE_FIELDS,
  });
  return drafts.map(d =>
    draftToEntity(d, { locationKey: 'demo', sourceLabel: 'demo' }),
  );
}

/** `fleet.versionPolicy` of the demo's app-config.yaml, as written there. */
export function demoVersionPolicy(): JsonObject {
  const config = parse(readFileSync(resolve(repo, 'app-config.yaml'), 'utf8'));
  return config.fleet.versionPolicy;
}

/** A demo runbook (examples/runbooks/<name>) as the runbooks API lists it. */
export function demoRunbook(name: string): RunbookSummary {
  const entity = parse(
    readFileSync(
      resolve(repo, 'examples/runbooks', name, 'catalog-info.yaml'),
      'utf8',
    ),
  );
  return {
    entityRef: `runbook:default/${name}`,
    name,
    title: entity.metadata.title,
    description: entity.metadata.description,
    owner: entity.spec.owner,
    targets: entity.spec.targets,
    parameters: entity.spec.parameters,
    steps: entity.spec.steps,
    concurrency: entity.spec.concurrency ?? 1,
    approval: entity.spec.approval,
    dryRunSupported: true,
    trust: { trusted: true },
  };
}
