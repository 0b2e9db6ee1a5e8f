import { expect, Page } from '@playwright/test';

export {
  saveScreenshot,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';

/**
 * Signs in as another demo user (the `demo` auth provider, development only),
 * e.g. `olivia.brown` of sre, who approves production targets.
 */
export async function signInAsDemoUser(page: Page, userName: string) {
  await page.goto('/');
  await page.getByLabel('User name').fill(userName);
  await page.getByRole('button', { name: 'Sign in as user' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** Opens a Cluster's page on its Runbooks tab. */
export async function openClusterRunbooks(page: Page, cluster: string) {
  await page.goto(`/catalog/default/cluster/${cluster}`);
  // The entity page's tabs are links; the sidebar has a Runbooks link too.
  await page
    .getByRole('link', { name: 'Runbooks', exact: true })
    .and(page.locator(`[href$="/cluster/${cluster}/runbooks"]`))
    .click();
}

/** The run card of a runbook on an entity's Runbooks tab. */
export function runbookCard(page: Page, title: string) {
  return page.getByRole('region', { name: title }).or(
    page.locator('.MuiCard-root', {
      has: page.getByRole('heading', { name: title }),
    }),
  );
}
