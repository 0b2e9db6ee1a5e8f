import { ownerRef } from '@fleetdeck/plugin-fleet-common';

/**
 * A runbook's approver groups as full refs: `sre` in the runbook's namespace
 * is `group:<namespace>/sre`, like its owner (see fleet-common's `ownerRef`).
 * A ref that cannot be parsed is kept (lower case), so it matches nobody
 * instead of failing the run.
 */
export function approverRefs(
  approvers: unknown,
  namespace = 'default',
): string[] | undefined {
  if (!Array.isArray(approvers)) return undefined;
  return approvers.map(a => {
    try {
      return ownerRef(String(a), namespace);
    } catch {
      return String(a).toLocaleLowerCase('en-US');
    }
  });
}
