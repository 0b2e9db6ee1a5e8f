import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** One source's `ansible-inventory --list` outcome. */
export type OracleResult =
  | { ok: true; list: Record<string, any> }
  | { ok: false; error: string };

/**
 * `ansible-inventory --list -i <source>` for many sources at once: Ansible's
 * own program, forked per source after its imports by a small Python driver
 * (__testUtils__/ansible_inventory_batch.py), `parallel` at a time. About
 * ten times faster than a process per source.
 */
export async function ansibleInventoryListMany(
  sources: string[],
  outDir: string,
  parallel = 2,
): Promise<OracleResult[]> {
  const which = await run('sh', ['-c', 'command -v ansible-inventory']).catch(
    () => {
      throw new Error(
        "ansible-inventory is not installed: these tests compare against it. Install Debian's 'ansible-core' package (bash scripts/ensure-deps.sh system as root).",
      );
    },
  );
  // the Python that runs ansible-inventory: its shebang
  const shebang = readFileSync(which.stdout.trim(), 'utf8').split('\n')[0];
  const python = shebang.replace(/^#!\s*/, '').split(/\s+/)[0];
  await run(
    python,
    [
      // test tooling, only ever run from source: __dirname is the source dir
      // eslint-disable-next-line no-restricted-syntax
      join(__dirname, '__testUtils__', 'ansible_inventory_batch.py'),
      String(parallel),
      outDir,
      ...sources,
    ],
    { env: ansibleEnv(), maxBuffer: 64 * 1024 * 1024 },
  );
  return sources.map((source, i) => {
    const rc = readFileSync(join(outDir, `${i}.rc`), 'utf8').trim();
    if (rc !== '0') {
      return {
        ok: false,
        error: `${source}: ${readFileSync(join(outDir, `${i}.err`), 'utf8')}`,
      };
    }
    return {
      ok: true,
      list: JSON.parse(readFileSync(join(outDir, `${i}.out`), 'utf8')),
    };
  });
}

function ansibleEnv() {
  return {
    ...process.env,
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: '/tmp',
    ANSIBLE_HOME: '/tmp/fleetdeck-ansible-home',
  };
}
