import {
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  runbooksApprovePermission,
  runbooksCancelPermission,
  runbooksReadPermission,
  RunSummary,
} from '@fleetdeck/plugin-runbooks-common';
import { actorRef } from '@fleetdeck/fleetdeck-node';
import { Caller } from './types';

/** How many resources one permission request asks about. */
const CHUNK = 250;

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** Entity refs for messages: the first 20 and how many more. */
export function nameSome(refs: string[]): string {
  return `${refs.slice(0, 20).join(', ')}${
    refs.length > 20 ? ` and ${refs.length - 20} more` : ''
  }`;
}

/**
 * Who may do what to runs: the permission checks per resource, the rule
 * that a requester never decides their own run, and that only members of
 * the approver groups do.
 */
export class RunAuthorizer {
  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      userInfo: UserInfoService;
    },
  ) {}

  /** The refs of `refs` the caller is denied `permission` on. */
  async denied(
    permission: ResourcePermission,
    refs: string[],
    caller: Caller,
  ): Promise<string[]> {
    const denied: string[] = [];
    for (let i = 0; i < refs.length; i += CHUNK) {
      const chunk = refs.slice(i, i + CHUNK);
      const decisions = await this.deps.permissions.authorize(
        chunk.map(resourceRef => ({ permission, resourceRef })),
        { credentials: caller.credentials },
      );
      decisions.forEach((d, j) => {
        if (d.result !== AuthorizeResult.ALLOW) denied.push(chunk[j]);
      });
    }
    return denied;
  }

  /** Runbook refs of `refs` whose runs the caller may read. */
  async readable(refs: string[], caller: Caller): Promise<Set<string>> {
    const unique = [...new Set(refs)];
    const denied = new Set(
      await this.denied(runbooksReadPermission, unique, caller),
    );
    return new Set(unique.filter(r => !denied.has(r)));
  }

  async assertCanRead(runbookRef: string, caller: Caller) {
    if ((await this.readable([runbookRef], caller)).size === 0) {
      throw new NotAllowedError(`You may not read runs of ${runbookRef}`);
    }
  }

  /** Cancel and retry: the requester, or whoever may cancel runs of the runbook. */
  async assertCanControl(run: RunSummary, caller: Caller) {
    if (actorRef(caller.credentials) === run.requestedBy) return;
    const denied = await this.denied(
      runbooksCancelPermission,
      [run.runbookRef],
      caller,
    );
    if (denied.length) {
      throw new NotAllowedError(
        'Only the requester or the runbook owners can do this',
      );
    }
  }

  /**
   * Approve or reject: a person, not the requester, in one of the run's
   * approver groups (then {@link RunAuthorizer.assertCanApproveOn} the targets).
   */
  async assertCanDecide(run: RunSummary, caller: Caller) {
    const principal = caller.credentials.principal as { type?: string };
    if (principal.type !== 'user') {
      throw new NotAllowedError('Only a person can approve or reject');
    }
    if (actorRef(caller.credentials) === run.requestedBy) {
      throw new NotAllowedError(
        'The requester of a run cannot approve or reject it',
      );
    }
    const approvers = (run.approvers ?? []).map(lower);
    const { ownershipEntityRefs } = await this.deps.userInfo.getUserInfo(
      caller.credentials,
    );
    if (!ownershipEntityRefs.some(r => approvers.includes(lower(r)))) {
      throw new NotAllowedError(
        `Only members of ${
          approvers.join(', ') || 'the approver groups'
        } can approve this run`,
      );
    }
  }

  /** `runbooks.approve` on every target decided. */
  async assertCanApproveOn(targetRefs: string[], caller: Caller) {
    const denied = await this.denied(
      runbooksApprovePermission,
      [...new Set(targetRefs)],
      caller,
    );
    if (denied.length) {
      throw new NotAllowedError(
        `You may not approve runs on ${denied.join(', ')}`,
      );
    }
  }
}
