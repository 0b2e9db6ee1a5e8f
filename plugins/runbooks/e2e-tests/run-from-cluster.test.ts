import { expect, test } from '@playwright/test';
import {
  openClusterRunbooks,
  runbookCard,
  saveScreenshot,
  signInAsGuest,
} from './helpers';

test('a: dry-run the Kafka rolling patch from a cluster page and read its Ansible output', async ({
  page,
}) => {
  await signInAsGuest(page);
  await openClusterRunbooks(page, 'kafka-payments-dev');

  const card = await runbookCard(page, 'Kafka rolling patch');
  await expect(card).toBeVisible();
  await expect(card.getByText('Last runs')).toBeVisible();
  await saveScreenshot(page, 'runbooks-entity-tab');

  await card.getByRole('button', { name: 'Run' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel(/Target Kafka version/)).toHaveValue('3.7.1');

  // An invalid version is refused under the field before anything starts.
  await dialog.getByLabel(/Target Kafka version/).fill('3.7');
  await dialog.getByRole('button', { name: 'Start dry run' }).click();
  await expect(dialog.getByText(/does not match/)).toBeVisible();
  await dialog.getByLabel(/Target Kafka version/).fill('3.7.2');

  await expect(dialog.getByLabel(/Dry run/)).toBeChecked();
  await expect(dialog.getByTestId('run-plan-summary')).toContainText(
    'Dry run of Kafka rolling patch on 1 target',
  );
  await dialog.getByRole('button', { name: 'Start dry run' }).click();

  await expect(page).toHaveURL(/\/runbooks\/runs\/[^/]+$/);
  await expect(
    page.getByRole('heading', { name: 'Kafka rolling patch' }),
  ).toBeVisible();
  await expect(page.getByText('Dry run', { exact: true })).toBeVisible();
  const row = page.getByTestId('target-cluster:default/kafka-payments-dev');
  await expect(row.getByText('Succeeded')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('run-progress')).toContainText('1 of 1 done');
  const log = page.getByRole('log', { name: 'Target log' });
  await expect(log).toContainText('PLAY RECAP');
  await saveScreenshot(page, 'runbooks-run-page');

  // The Runbooks page lists the runbook and the run among the recent ones.
  const runPath = new URL(page.url()).pathname;
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Runbooks', exact: true })
    .click();
  await expect(
    page
      .getByRole('table', { name: 'Runbooks' })
      .getByText('Kafka rolling patch'),
  ).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Scheduled runbooks' }).getByRole('row'),
  ).not.toHaveCount(0);
  const recent = page.getByRole('table', { name: 'Recent runs' });
  await expect(recent.locator(`a[href="${runPath}"]`)).toBeVisible();
  await saveScreenshot(page, 'runbooks-page');
});
