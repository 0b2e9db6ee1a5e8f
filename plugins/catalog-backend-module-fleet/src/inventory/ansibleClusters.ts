import { AnsibleInventory } from '../ansible/AnsibleInventory';
import { ClusterDraft, draftFromFields, toEntityName } from './clusterDraft';

/** Which Ansible groups are clusters, and which variables fill which spec fields. */
export interface AnsibleClusterRules {
  /** A group whose own vars set this variable to a true value is a cluster. */
  groupVar?: string;
  /** A group whose name matches this regular expression is a cluster. */
  groupPattern?: RegExp;
  /** Variable name per field. */
  fields: Record<AnsibleField, string>;
}

/** Fields an inventory variable can fill. */
export type AnsibleField =
  | 'name'
  | 'title'
  | 'description'
  | 'engine'
  | 'version'
  | 'environment'
  | 'owner'
  | 'system'
  | 'region'
  | 'endpoints'
  | 'maintenanceWindow'
  | 'labels'
  | 'annotations'
  | 'tags';

/** The default variable per field: `fleetdeck_<snake_case field>`. */
export const DEFAULT_ANSIBLE_FIELDS: Record<AnsibleField, string> = {
  name: 'fleetdeck_cluster_name',
  title: 'fleetdeck_title',
  description: 'fleetdeck_description',
  engine: 'fleetdeck_engine',
  version: 'fleetdeck_version',
  environment: 'fleetdeck_environment',
  owner: 'fleetdeck_owner',
  system: 'fleetdeck_system',
  region: 'fleetdeck_region',
  endpoints: 'fleetdeck_endpoints',
  maintenanceWindow: 'fleetdeck_maintenance_window',
  labels: 'fleetdeck_labels',
  annotations: 'fleetdeck_annotations',
  tags: 'fleetdeck_tags',
};

const truthy = (v: unknown) =>
  v === true ||
  (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v)) ||
  v === 1;

/** Picks the cluster groups of an inventory and reads their fields with Ansible's variable precedence. */
export function ansibleClusters(
  inventory: AnsibleInventory,
  rules: AnsibleClusterRules,
): ClusterDraft[] {
  const drafts: ClusterDraft[] = [];
  for (const group of inventory.groupNames()) {
    if (group === 'all' || group === 'ungrouped') continue;
    const own = inventory.ownGroupVars(group);
    const marked =
      (rules.groupVar !== undefined && truthy(own[rules.groupVar])) ||
      (rules.groupPattern !== undefined && rules.groupPattern.test(group));
    if (!marked) continue;
    const vars = inventory.groupVars(group);
    const get = (field: string) => vars[rules.fields[field as AnsibleField]];
    const files = inventory.sourcesOf(group);
    drafts.push(
      draftFromFields(get, {
        origin: `group ${group}${files.length ? ` (${files.join(', ')})` : ''}`,
        sourceId: group,
        name: toEntityName(String(get('name') ?? group)),
        nodes: inventory.hostsOf(group),
      }),
    );
  }
  return drafts;
}
