import { Config } from '@backstage/config';
import { UserEntity } from '@backstage/catalog-model';

/**
 * The git author of a scaffolder commit: the user who ran the template, as
 * the catalog knows them, else `scaffolder.defaultAuthor` from config.
 */
export function gitAuthor(
  config: Config,
  user?: { entity?: UserEntity; ref?: string },
  override?: { name?: string; email?: string },
): { name: string; email: string } {
  const profile = user?.entity?.spec?.profile;
  return {
    name:
      override?.name ??
      profile?.displayName ??
      user?.entity?.metadata.name ??
      config.getOptionalString('scaffolder.defaultAuthor.name') ??
      'Scaffolder',
    email:
      override?.email ??
      profile?.email ??
      config.getOptionalString('scaffolder.defaultAuthor.email') ??
      'scaffolder@backstage.io',
  };
}
