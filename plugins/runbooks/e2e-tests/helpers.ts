import { expect, Page } from '@playwright/test';

// The app's journey helpers are shared by path; they are not package exports.
/* eslint-disable @backstage/no-relative-monorepo-imports */
export {
  saveScreenshot,
  signInAsGuest,
} from '../../../packages/app/e2e-tests/helpers';
/* eslint-enable @backstage/no-relative-monorepo-imports */

/**
 * Signs in as another demo user (the `demo` auth provider, development only),
 * e.g. `olivia.brown` of sre, who approves production targets.
 */
export async function signInAsDemoUser(page: Page, userName: string) {
  // Right after start the catalog may not hold the demo users yet; the sign-in
  // page then reports the user as unknown, so try again until it is there.
  await expect(async () => {
    await page.goto('/');
    await page.evaluate(() => localStorage.clear());
    await page.goto('/');
    await page.getByLabel('User name').fill(userName);
    await page.getByRole('button', { name: 'Sign in as user' }).click();
    await expect(
      page
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: 'Catalog', exact: true }),
    ).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 90_000 });
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

/**
 * The card of a runbook on an entity's Runbooks tab. Right after the portal
 * starts the catalog may not have ingested the demo runbooks yet, so the tab
 * is reloaded until the card shows.
 */
export async function runbookCard(page: Page, title: string) {
  const card = page.locator('.MuiCard-root', {
    has: page.getByRole('heading', { name: title }),
  });
  await expect(async () => {
    if (!(await card.isVisible())) {
      await page.reload();
      await expect(card).toBeVisible({ timeout: 5_000 });
    }
  }).toPass({ timeout: 90_000 });
  return card;
}
