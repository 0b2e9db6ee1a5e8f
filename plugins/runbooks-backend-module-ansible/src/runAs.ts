import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { execFile } from 'child_process';
import { readFile } from 'fs/promises';

/** The OS user ansible-playbook runs as (`runbooks.ansible.runAs`). */
export interface RunAsUser {
  name: string;
  uid: number;
  gid: number;
  /** The user's home directory as the passwd database has it. */
  home: string;
  /**
   * Whether the executor switches to the user when it spawns (the backend runs
   * as root); false when the backend already runs as that user.
   */
  switchUser: boolean;
}

const userName = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

function getent(name: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile('getent', ['passwd', name], (error, stdout) => {
      if (!error) resolve(stdout);
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        reject(error); // no getent on this machine
      else resolve(''); // exit 2: no such user
    });
  });
}

/** A user from the passwd database (getent, or /etc/passwd without it). */
export async function lookupUser(
  name: string,
): Promise<Omit<RunAsUser, 'switchUser'> | undefined> {
  if (!userName.test(name)) {
    throw new InputError(
      `runbooks.ansible.runAs: '${name}' is not a user name`,
    );
  }
  let entries: string;
  try {
    entries = (await getent(name)) ?? '';
  } catch {
    entries = await readFile('/etc/passwd', 'utf8');
  }
  for (const line of entries.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && /^\d+$/.test(uid) && /^\d+$/.test(gid)) {
      return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
    }
  }
  return undefined;
}

/**
 * Checks `runbooks.ansible.runAs` at startup. A backend that runs as root
 * without it gets one warning: playbooks would run as root. With it, the user
 * must exist, and the backend must be root (to switch to it) or that user.
 */
export async function resolveRunAs(options: {
  runAs?: string;
  logger: Pick<LoggerService, 'warn' | 'info'>;
  /** The backend's uid (process.getuid()); undefined where there is none. */
  currentUid?: number;
}): Promise<RunAsUser | undefined> {
  const { runAs, logger, currentUid } = options;
  if (!runAs) {
    if (currentUid === 0) {
      logger.warn(
        'The backend runs as root and runbooks.ansible.runAs is not set: ansible-playbook runs as root. Set runbooks.ansible.runAs to an unprivileged user.',
      );
    }
    return undefined;
  }
  const user = await lookupUser(runAs);
  if (!user) {
    throw new InputError(
      `runbooks.ansible.runAs: there is no user '${runAs}' on this machine (create it, e.g. useradd --system ${runAs})`,
    );
  }
  if (currentUid === undefined) {
    throw new InputError(
      'runbooks.ansible.runAs is set, but this platform has no user ids to switch between',
    );
  }
  if (currentUid !== 0 && currentUid !== user.uid) {
    throw new InputError(
      `runbooks.ansible.runAs is '${runAs}' (uid ${user.uid}), but the backend runs as uid ${currentUid}, not root: it cannot switch to that user. Run the backend as root or as '${runAs}', or unset runbooks.ansible.runAs.`,
    );
  }
  const switchUser = currentUid !== user.uid;
  logger.info(
    `ansible-playbook runs as '${runAs}' (uid ${user.uid}, gid ${user.gid})`,
  );
  return { ...user, switchUser };
}
