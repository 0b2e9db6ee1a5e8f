import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { ChangesService } from '../service/ChangesService';
import { registerCreateChangeAction } from './createChangeAction';
import { registerGetChangePreviewAction } from './getChangePreviewAction';
import { registerSearchCodeAction } from './searchCodeAction';

/**
 * The changes plugin's actions for MCP clients and other callers of
 * Backstage's actions registry: `search-code`, `create-change` and
 * `get-change-preview`. Each runs with the caller's credentials, so every
 * permission check of the ChangesService applies; none pushes anything.
 */
export function registerChangesActions(options: {
  actionsRegistry: ActionsRegistryService;
  service: ChangesService;
}) {
  registerSearchCodeAction(options);
  registerCreateChangeAction(options);
  registerGetChangePreviewAction(options);
}
