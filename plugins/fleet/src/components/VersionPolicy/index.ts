export { useVersionPolicy } from './useVersionPolicy';
export { VersionChip, describeStatus } from './VersionChip';
export { STATUS_COLORS, STATUS_LABELS } from './statusColors';
export {
  ENGINE_VERSION_FACET,
  fetchEngineVersions,
  matchesPolicy,
  policyVersionsFor,
  resolvePolicyVersions,
} from './policyVersions';
export type { FacetCount } from './policyVersions';
