/**
 * The `vault` executor of Fleetdeck runbooks: writes to Vault's KV store and
 * certificate renewal from Vault's PKI engine.
 *
 * @packageDocumentation
 */
export { runbooksModuleVault as default } from './module';
export {
  VaultExecutor,
  vaultInputSchema,
  VAULT_PKI_ROLES_SETTING,
  VAULT_WRITABLE_PATHS_SETTING,
} from './VaultExecutor';
export type { VaultExecutorOptions } from './VaultExecutor';
