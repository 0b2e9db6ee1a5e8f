/**
 * The scaffolder action `fleetdeck:changes:create`: a template step that
 * creates a fleet-wide change through the changes API, as the template's user.
 *
 * @packageDocumentation
 */
export { scaffolderModuleChanges as default } from './module';
export { createChangesCreateAction } from './actions/createChange';
