import { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * Who acts, as audit events and run records name them: a user's entity ref,
 * or `service:<subject>` for a plugin or an external caller.
 */
export function actorRef(credentials: BackstageCredentials): string {
  // the principal's type decides which fields it has
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal?.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  return `service:${principal?.subject ?? 'unknown'}`;
}
