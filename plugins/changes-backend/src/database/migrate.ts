import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@fleetdeck/plugin-changes-backend',
  'migrations',
);

/** Brings the plugin's database schema up to date. */
export async function migrate(knex: Knex) {
  await knex.migrate.latest({ directory: migrationsDir });
}
