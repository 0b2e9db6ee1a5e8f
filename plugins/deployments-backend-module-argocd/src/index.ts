/**
 * Argo CD pull source for the deployments backend.
 *
 * @packageDocumentation
 */
export { deploymentsModuleArgoCd as default } from './module';
export {
  ArgoCdPullSource,
  ENTITY_REF_ANNOTATION,
  ENVIRONMENT_ANNOTATION,
} from './ArgoCdPullSource';
export type { ApplicationMapping } from './ArgoCdPullSource';
