/**
 * Runbooks API client, the run parameters form and the bulk "run a runbook
 * on these entities" launcher, for the runbooks plugin and the plugins that
 * embed it (the Fleet page).
 *
 * @packageDocumentation
 */
export * from './api';
export * from './components';
