/**
 * The extension point through which backend modules add deployment pull
 * sources (Argo CD, GitOps repositories, ...) to the deployments plugin.
 *
 * @packageDocumentation
 */
export {
  deploymentsPullSourcesExtensionPoint,
  type DeploymentPullSource,
  type DeploymentsPullSourcesExtensionPoint,
  type PulledDeployment,
} from './extensions';
