/**
 * Fleetdeck's permission policy as a module for the permission backend.
 *
 * @packageDocumentation
 */
export { permissionModuleFleetdeckPolicy as default } from './module';
export { FleetdeckPermissionPolicy } from './FleetdeckPermissionPolicy';
