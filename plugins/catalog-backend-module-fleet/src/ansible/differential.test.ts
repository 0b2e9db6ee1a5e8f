import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { seededRandom } from '../__testUtils__/killScenario';
import {
  GeneratedInventory,
  randomIniInventory,
  randomYamlInventory,
} from './__testUtils__/randomInventory';
import { ansibleInventoryListMany, normalizeListJson } from './ansibleOracle';
import { loadAnsibleInventory } from './loadAnsibleInventory';
import { readInventoryFromPath } from './readInventoryTree';

jest.setTimeout(600_000);

const RUNS = Number(process.env.FLEET_DIFF_RUNS ?? 200);
const seed = Number(
  process.env.FLEET_DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31),
);
const failuresDir = join(__dirname, '__fixtures__', 'differential');

function write(dir: string, inv: GeneratedInventory) {
  for (const [path, text] of Object.entries(inv.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return join(dir, inv.source);
}

async function ours(source: string) {
  try {
    const inventory = loadAnsibleInventory(await readInventoryFromPath(source));
    return { ok: true as const, list: inventory.toListJson() };
  } catch (e) {
    return { ok: false as const, error: (e as Error).message };
  }
}

/** Where two JSON values differ, as `path: Ansible value ≠ parser value`. */
function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap(k => differingPaths(a[k], b[k], `${path}.${k}`));
  }
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa === sb ? [] : [`${path || '.'}: Ansible ${sa} ≠ parser ${sb}`];
}

describe('the Ansible parser against ansible-inventory --list on generated inventories', () => {
  it(`reads ${RUNS} seeded random INI and YAML inventories exactly as Ansible does, and rejects the same ones`, async () => {
    // eslint-disable-next-line no-console
    console.log(
      `differential seed: ${seed} (rerun with FLEET_DIFF_SEED=${seed})`,
    );
    const random = seededRandom(seed);
    const root = mkdtempSync(join(tmpdir(), 'fleet-diff-'));
    try {
      const cases = Array.from({ length: RUNS }, (_, i) => {
        const inv =
          i % 2 ? randomYamlInventory(random) : randomIniInventory(random);
        return { inv, source: write(join(root, `case-${i}`), inv) };
      });
      mkdirSync(join(root, 'oracle'));
      const expected = await ansibleInventoryListMany(
        cases.map(c => c.source),
        join(root, 'oracle'),
      );
      const differences: string[] = [];
      let accepted = 0;
      const rejections = new Map<string, number>();
      for (const [i, c] of cases.entries()) {
        const want = expected[i];
        const got = await ours(c.source);
        let difference: string | undefined;
        if (want.ok !== got.ok) {
          difference = `Ansible ${
            want.ok ? 'accepts' : 'rejects'
          }, the parser ${got.ok ? 'accepts' : `rejects (${got.error})`}`;
        } else if (!want.ok) {
          const flat = want.error.replace(/\s+/g, ' ');
          const reason = (
            new RegExp(
              `with ${c.inv.format} plugin: (.*?)( \\[WARNING\\]|$)`,
            ).exec(flat)?.[1] ?? flat
          )
            .replace(/\/tmp\/\S+/g, '<path>')
            .replace(/'[^']*'/g, "'…'")
            .slice(0, 90);
          rejections.set(reason, (rejections.get(reason) ?? 0) + 1);
        } else if (want.ok && got.ok) {
          accepted += 1;
          const paths = differingPaths(
            normalizeListJson(want.list),
            normalizeListJson(got.list),
          );
          if (paths.length) difference = paths.slice(0, 6).join('; ');
        }
        if (difference) {
          // keep the case as a fixture, so it can be rerun and kept once fixed
          const fixture = join(failuresDir, `seed-${seed}-case-${i}`);
          write(fixture, c.inv);
          differences.push(
            `case ${i} (${c.inv.format}, saved as ${fixture}): ${difference}`,
          );
        }
      }
      // eslint-disable-next-line no-console
      console.log(
        `differential: ${RUNS} inventories, ${accepted} accepted by both, ${
          RUNS - accepted - differences.length
        } rejected by both, ${differences.length} differences`,
      );
      // eslint-disable-next-line no-console
      console.log(
        `rejected by both, by Ansible's reason:\n${[...rejections]
          .map(([r, n]) => `  ${n} × ${r}`)
          .join('\n')}`,
      );
      expect(differences.slice(0, 5)).toEqual([]);
      expect(accepted).toBeGreaterThan(RUNS / 3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
