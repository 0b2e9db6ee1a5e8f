export { checkVaultPath, parseVaultRef, VaultClient } from './VaultClient';
export type {
  VaultCertificate,
  VaultClientOptions,
  VaultKvSecret,
} from './VaultClient';
export { VaultError } from './VaultError';
export type { VaultErrorReason } from './VaultError';
export type { VaultHttpOptions } from './VaultHttp';
export { DEFAULT_KUBERNETES_JWT_PATH } from './VaultSession';
export type { VaultAuth } from './VaultSession';
