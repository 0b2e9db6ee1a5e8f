export * from './RunbooksApi';
export { RunbooksClient } from './RunbooksClient';
export { errorMessage } from './errorMessage';
export { runbooksRouteRef, runbookRunRouteRef } from './routes';
