export { runGit } from './runGit';
export type { GitOutput, RunGitOptions } from './runGit';
export { classifyGitFailure, GitCommandError } from './GitCommandError';
export type { GitFailure } from './GitCommandError';
export { gitAuthConfig, gitAuthRedactor } from './GitAuth';
export type { GitAuth } from './GitAuth';
export {
  DEFAULT_GIT_PROTOCOLS,
  gitProtocolOf,
  gitProtocolsFor,
  isAllowedGitRemote,
} from './protocols';
export type { GitProtocol } from './protocols';
export { MirrorManager } from './MirrorManager';
export type { MirrorHead, MirrorManagerOptions } from './MirrorManager';
export { GIT_REPO_ANNOTATION, RepositoryResolver } from './RepositoryResolver';
export type {
  EntityWithAnnotations,
  GitHostIntegrations,
  Repository,
  RepositoryResolverOptions,
} from './RepositoryResolver';
