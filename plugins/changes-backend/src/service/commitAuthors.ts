import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Person } from '../work/RepositoryWork';

/**
 * The commit author for a user ref: the User entity's display name and
 * email, or the ref's name with a no-reply address when the catalog has
 * neither. Looked up once per user.
 */
export function commitAuthors(deps: {
  catalog: CatalogService;
  auth: AuthService;
}): (userRef: string) => Promise<Person> {
  const cache = new Map<string, Promise<Person>>();
  return userRef => {
    let person = cache.get(userRef);
    if (!person) {
      person = lookup(deps, userRef);
      person.catch(() => cache.delete(userRef));
      cache.set(userRef, person);
    }
    return person;
  };
}

async function lookup(
  deps: { catalog: CatalogService; auth: AuthService },
  userRef: string,
): Promise<Person> {
  const { name } = parseEntityRef(userRef, { defaultKind: 'user' });
  const fallback = { name, email: `${name}@users.noreply.fleetdeck` };
  if (!userRef.startsWith('user:')) return fallback;
  const entity = await deps.catalog.getEntityByRef(userRef, {
    credentials: await deps.auth.getOwnServiceCredentials(),
  });
  const profile = (entity?.spec?.profile ?? {}) as {
    displayName?: string;
    email?: string;
  };
  return {
    name: profile.displayName || name,
    email: profile.email || fallback.email,
  };
}
