/*
 * The Fleetdeck backend: stock Backstage plugins plus Fleetdeck's own.
 */
import { createBackend } from '@backstage/backend-defaults';
import { gitUrlReaderFactory } from '@fleetdeck/plugin-scaffolder-backend-module-fleet';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Scaffolder, with the stock GitHub and notification actions.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// Fleetdeck: publish:git and fleetdeck:gitops:register.
backend.add(import('@fleetdeck/plugin-scaffolder-backend-module-fleet'));
// ...and the URL reader that lets the catalog read services on plain git servers.
backend.add(gitUrlReaderFactory);

// Auth: the guest provider signs in the demo identity (app-config.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Demo only: sign in as any catalog user (e.g. an approver); off outside development.
backend.add(import('@fleetdeck/plugin-auth-backend-module-demo-provider'));

// Catalog.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Fleetdeck: the Cluster kind and the inventory providers that feed it.
backend.add(import('@fleetdeck/plugin-catalog-backend-module-fleet'));

// Permissions: Fleetdeck's policy (owners mutate, admins do everything).
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@fleetdeck/plugin-permission-backend-module-fleetdeck'));

// Search: PostgreSQL engine where the database is PostgreSQL, Lunr otherwise.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
// Events: lets signals and notifications reach users across replicas.
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// Fleetdeck: deployment diffs, with Argo CD as a pull source.
backend.add(import('@fleetdeck/plugin-deployments-backend'));
backend.add(import('@fleetdeck/plugin-deployments-backend-module-argocd'));

// Fleetdeck: fleet-wide changes (code search, a pull request per repository).
backend.add(import('@fleetdeck/plugin-changes-backend'));
// ...and its scaffolder action fleetdeck:changes:create.
backend.add(import('@fleetdeck/plugin-scaffolder-backend-module-changes'));

// Fleetdeck: maintenance runbooks and their executors.
backend.add(import('@fleetdeck/plugin-runbooks-backend'));
// The Runbook kind in the catalog, and the runbooks:run scaffolder action.
backend.add(import('@fleetdeck/plugin-runbooks-backend/catalog'));
backend.add(import('@fleetdeck/plugin-runbooks-backend/scaffolder'));
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-ansible'));
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-ssh'));
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-http'));
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-tls'));
// AWX / Ansible Automation Platform job templates (runbooks.aap) and Vault
// writes and certificate renewals (vault, runbooks.vault).
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-aap'));
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-vault'));
// DEMO ONLY: stand-in AWX, Vault and an expiring TLS endpoint for the demo's
// aap and vault runbooks; does nothing unless fleetdeck.demo.services is set
// (app-config.yaml only).
backend.add(import('./demo/demoServices'));

backend.start();
