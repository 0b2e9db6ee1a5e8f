import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { loadAnsibleInventory } from '../ansible/loadAnsibleInventory';
import {
  readInventoryFromPath,
  readInventoryFromUrl,
} from '../ansible/readInventoryTree';
import { AnsibleClusterRules, ansibleClusters } from './ansibleClusters';
import { ClusterDraft } from './clusterDraft';
import {
  InventoryEntityProvider,
  InventoryProviderDeps,
} from './InventoryEntityProvider';

/** Where an Ansible inventory is read from, and how its groups become clusters. */
export interface AnsibleInventorySource {
  /** A local file or directory. */
  path?: string;
  /** Any URL the UrlReader supports. */
  url?: string;
  /** With `url`: read the whole tree (for group_vars/ and host_vars/). */
  directory?: boolean;
  maxBytes: number;
  rules: AnsibleClusterRules;
}

/** Ingests clusters from an Ansible inventory (INI or YAML, with group_vars and host_vars). */
export class AnsibleInventoryEntityProvider extends InventoryEntityProvider {
  constructor(
    deps: InventoryProviderDeps,
    private readonly source: AnsibleInventorySource,
    private readonly urlReader?: UrlReaderService,
  ) {
    super(deps, 'ansible');
    if (!source.path === !source.url) {
      throw new InputError(
        `fleet inventory ${deps.id}: set exactly one of path or url`,
      );
    }
  }

  protected describeSource(): string {
    if (this.source.path) return this.source.path;
    const u = new URL(this.source.url!);
    return `${u.origin}${u.pathname}`;
  }

  protected async load(): Promise<ClusterDraft[]> {
    const tree = this.source.path
      ? await readInventoryFromPath(this.source.path, this.source.maxBytes)
      : await readInventoryFromUrl(this.urlReader!, this.source.url!, {
          directory: this.source.directory,
          maxBytes: this.source.maxBytes,
        });
    const inventory = loadAnsibleInventory(tree, m => this.logger.warn(m));
    const drafts = ansibleClusters(inventory, this.source.rules);
    // The same cluster group filled from two files is almost always a copy-paste slip.
    for (const draft of drafts) {
      const files = inventory.sourcesOf(draft.sourceId);
      if (files.length > 1) {
        throw new InputError(
          `duplicate cluster '${draft.name}': group ${
            draft.sourceId
          } is defined in ${files.join(' and ')}`,
        );
      }
    }
    return drafts;
  }
}
