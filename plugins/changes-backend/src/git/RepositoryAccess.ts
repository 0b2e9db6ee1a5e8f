import { Entity } from '@backstage/catalog-model';
import { GitAuth, Repository } from '@fleetdeck/fleetdeck-node';
import { HostRepository } from '../hosts';

/**
 * Everything the changes backend needs to know about repositories: which
 * one an entity has (behind the SSRF allow-list), a fresh bare mirror of it,
 * the credentials for its host and its pull request API.
 */
export interface RepositoryAccess {
  /** Throws (InputError / NotAllowedError) saying why an entity has no usable repository. */
  resolve(entity: Entity): Repository;
  /** A bare mirror of the repository, fetched now; its directory. */
  freshMirror(url: string): Promise<string>;
  auth(url: string): GitAuth | undefined;
  host(url: string): HostRepository;
}
