/*
 * A real backend process for the crash tests: createBackend() with the
 * catalog, the permission backend and a test policy, and the changes plugin,
 * configured by --config. Users authenticate with Backstage's mock tokens
 * (mockCredentials.user.header), as in the runbooks test backend; the group
 * memberships come from CHANGES_TEST_MEMBERSHIPS (JSON).
 * Started by processHarness.ts with the CLI's transpiler; never imported.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  httpAuthWithActors,
  userInfoFromMemberships,
} from '@fleetdeck/backend-test-utils';
import { changesPlugin } from '../plugin';
import { permissionModuleTestPolicy } from './testPolicy';

const memberships: Record<string, string[]> = JSON.parse(
  process.env.CHANGES_TEST_MEMBERSHIPS ?? '{}',
);

const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(httpAuthWithActors);
backend.add(userInfoFromMemberships(memberships));
backend.add(catalogPlugin);
backend.add(permissionPlugin);
backend.add(permissionModuleTestPolicy);
backend.add(changesPlugin);
backend.start();
