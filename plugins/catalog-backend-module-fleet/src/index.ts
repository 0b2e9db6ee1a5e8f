/**
 * Fleetdeck's catalog module: the Cluster kind processor and the Ansible and
 * HTTP inventory entity providers.
 *
 * @packageDocumentation
 */
export { catalogModuleFleet as default } from './module';
export { ClusterEntitiesProcessor } from './processor/ClusterEntitiesProcessor';
export { AnsibleInventoryEntityProvider } from './inventory/AnsibleInventoryEntityProvider';
export { HttpInventoryEntityProvider } from './inventory/HttpInventoryEntityProvider';
export { loadAnsibleInventory } from './ansible/loadAnsibleInventory';
export { readInventoryFromPath } from './ansible/readInventoryTree';
export { checkShrink, DEFAULT_MAX_SHRINK_RATIO } from './inventory/shrinkGuard';
