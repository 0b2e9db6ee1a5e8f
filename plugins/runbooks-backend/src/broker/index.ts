export type { ChangeOrigin, RunBroker, RunChange } from './RunBroker';
export { DefaultRunBroker } from './DefaultRunBroker';
export type { DefaultRunBrokerOptions } from './DefaultRunBroker';
export { RUN_BROKER_TOPIC } from './wire';
