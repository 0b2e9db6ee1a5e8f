import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAsDemoUser } from './helpers';

test('b: rotate the keys of every staging MongoDB cluster from the Fleet page', async ({
  page,
}) => {
  // 17 real ansible-playbook runs, ten at a time: each costs about 7 s of CPU
  // (15 module executions), so on two cores the run alone takes a minute or
  // more. Ten at once load two cores to 10: in one CI run the first ten took
  // over two minutes and the run over four, so the wait allows seven.
  test.setTimeout(540_000);
  // The MongoDB platform team owns those clusters and may run on them.
  await signInAsDemoUser(page, 'lucas.moreau');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Fleet', exact: true })
    .click();
  await expect(page.getByText(/of 95 clusters/)).toBeVisible({
    timeout: 60_000,
  });

  await page.getByRole('button', { name: 'Filter by engine' }).click();
  await page.getByRole('option', { name: /^mongodb \(\d+\)$/ }).click();
  await page.getByRole('button', { name: 'Filter by environment' }).click();
  await page.getByRole('option', { name: /^staging \(\d+\)$/ }).click();
  const range = page.getByText(/^1–\d+ of \d+ clusters$/);
  await expect(range).toBeVisible();
  const matching = Number(
    /of (\d+) clusters/.exec((await range.textContent())!)![1],
  );
  expect(matching).toBeGreaterThan(1);

  await page
    .getByRole('button', { name: `Select all ${matching} matching filter` })
    .click();
  await expect(page.getByText(`${matching} selected`)).toBeVisible();
  await page.getByRole('button', { name: 'Run runbook…' }).click();

  const dialog = page.getByRole('dialog');
  const keyRotation = dialog.getByRole('button', {
    name: /MongoDB key rotation/,
  });
  await expect(keyRotation).toContainText(`applies to all ${matching}`);
  await keyRotation.click();
  await expect(dialog.getByLabel(/Why the key is rotated/)).toHaveValue(
    'scheduled rotation',
  );
  await dialog.getByLabel(/Dry run/).uncheck();
  await expect(dialog.getByTestId('run-plan-summary')).toContainText(
    `Run of MongoDB key rotation on ${matching} targets`,
  );
  await saveScreenshot(page, 'runbooks-fleet-selection');
  await dialog.getByRole('button', { name: 'Start run' }).click();

  await expect(page).toHaveURL(/\/runbooks\/runs\/[^/]+$/);
  await expect(page.getByTestId('run-progress')).toContainText(
    `${matching} of ${matching} done · ${matching} succeeded`,
    { timeout: 420_000 },
  );
  await expect(
    page.getByRole('progressbar', { name: 'Run progress' }),
  ).toHaveAttribute('aria-valuenow', '100');
});
