/**
 * The scaffolder module of the runbooks backend: the `runbooks:run` action.
 *
 * @packageDocumentation
 */
export { scaffolderModuleRunbooks as default } from './scaffolder/module';
export { createRunRunbookAction } from './scaffolder/createRunRunbookAction';
