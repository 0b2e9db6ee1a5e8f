import { defineConfig } from '@playwright/test';

/**
 * The adoption journeys (scripts/adoption/journeys) against the stock
 * Backstage app that scripts/adoption.sh generates, installs Fleetdeck into
 * and starts; it sets PLAYWRIGHT_URL. Debian's Chromium, no browser download.
 */
export default defineConfig({
  testDir: 'journeys',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:7007',
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  outputDir: '../../node_modules/.cache/adoption-test-results',
});
