module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // End-to-end journeys run in Node (Playwright), not in the browser, and
      // share the portal-wide helpers in packages/app/e2e-tests.
      files: ['e2e-tests/**'],
      rules: {
        'no-restricted-imports': 'off',
        '@backstage/no-relative-monorepo-imports': 'off',
      },
    },
  ],
});
