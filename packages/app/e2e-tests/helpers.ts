import { expect, Page } from '@playwright/test';
import { mkdirSync } from 'fs';
import { resolve } from 'path';

/** Where journeys save the screenshots the README shows. */
export const screenshotDir = resolve(__dirname, '../../../docs/screenshots');

/** Opens the portal and enters as the demo's guest identity. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** Saves a full-page screenshot under docs/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({
    path: resolve(screenshotDir, `${name}.png`),
    fullPage: true,
    // progress bars and chips animate into their state: show the state
    animations: 'disabled',
  });
}
