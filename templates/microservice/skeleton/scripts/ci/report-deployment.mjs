#!/usr/bin/env node
// Reports a deployment to Fleetdeck's deployments API:
//   node scripts/ci/report-deployment.mjs <environment>
// FLEETDECK_TOKEN (a CI secret) authenticates; the commit, the actor and the
// pipeline URL come from the CI system's own variables.
import { readFileSync } from 'node:fs';

const environment = process.argv[2];
if (!environment) {
  console.error('usage: report-deployment.mjs <environment>');
  process.exit(2);
}
const env = process.env;
const token = env.FLEETDECK_TOKEN;
if (!token) {
  console.error('FLEETDECK_TOKEN is not set: add it as a CI secret');
  process.exit(2);
}
const url =
  env.FLEETDECK_DEPLOYMENTS_URL ?? ${{ values.deploymentsApiUrl | dump }};
const pkg = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
);
const commitSha = env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? env.GIT_COMMIT;
if (!commitSha) {
  console.error('no commit SHA: set GITHUB_SHA, CI_COMMIT_SHA or GIT_COMMIT');
  process.exit(2);
}
const pipelineUrl =
  (env.GITHUB_RUN_ID &&
    `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`) ||
  env.CI_PIPELINE_URL ||
  env.BUILD_URL;
const body = {
  entityRef: ${{ values.entityRef | dump }},
  environment,
  commitSha,
  version: env.SERVICE_VERSION ?? pkg.version,
  deployedAt: new Date().toISOString(),
  deployedBy:
    env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? env.BUILD_USER_ID ?? 'ci',
  ...(pipelineUrl ? { pipelineUrl } : {}),
};

const res = await fetch(url, {
  method: 'POST',
  headers: {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  },
  body: JSON.stringify(body),
});
if (!res.ok) {
  console.error(
    `Fleetdeck refused the deployment report (${res.status}): ${await res.text()}`,
  );
  process.exit(1);
}
console.log(`reported ${body.entityRef} ${commitSha} in ${environment}`);
