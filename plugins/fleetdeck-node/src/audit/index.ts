export { audited, auditFailure } from './audited';
export type { AuditedOperation } from './audited';
export { actorRef } from './actorRef';
