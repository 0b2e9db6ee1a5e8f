import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs Debian's `ansible-inventory --list` on a source: the reference the
 * parser is compared with in tests. Fails (never skips) when it is missing.
 */
export async function ansibleInventoryList(
  source: string,
): Promise<Record<string, any>> {
  try {
    const { stdout } = await run(
      'ansible-inventory',
      ['--list', '-i', source],
      {
        env: {
          ...process.env,
          // A source Ansible cannot parse is only a warning by default.
          ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_LOCAL_TEMP: '/tmp',
          ANSIBLE_HOME: '/tmp/fleetdeck-ansible-home',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout);
  } catch (e: any) {
    if (e.code === 'ENOENT') {
      throw new Error(
        "ansible-inventory is not installed: these tests compare against it. Install Debian's 'ansible-core' package (apt-get install ansible-core, or bash scripts/ensure-deps.sh system as root).",
      );
    }
    throw new Error(
      `ansible-inventory failed on ${source}: ${e.stderr ?? e.message}`,
    );
  }
}

/** Sorts host and child lists so two `--list` documents compare independent of order. */
export function normalizeListJson(
  doc: Record<string, any>,
): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === '_meta') {
      out._meta = value;
      continue;
    }
    out[key] = Object.fromEntries(
      Object.entries(value as Record<string, string[]>).map(([k, v]) => [
        k,
        [...v].sort(),
      ]),
    );
  }
  return out;
}
