import { join } from 'node:path';
import { ansibleInventoryList, normalizeListJson } from './ansibleOracle';
import { loadAnsibleInventory } from './loadAnsibleInventory';
import { readInventoryFromPath } from './readInventoryTree';

const fixtures = join(__dirname, '__fixtures__');

describe('Ansible inventory parsing, compared with ansible-inventory --list', () => {
  it.each([
    [
      'INI with ranges, ports, Python literals, :children before the child, group_vars and host_vars',
      'ini-basic/hosts.ini',
    ],
    [
      'YAML with nested children, a group under two parents and YAML 1.1 booleans',
      'yaml-children/hosts.yml',
    ],
    [
      'precedence: all < parent < child < host, priority and name order, group_vars over inventory vars',
      'precedence/inventory',
    ],
    [
      'a directory source: several files merged, ignored extensions, group_vars as a directory and JSON',
      'directory/inventory',
    ],
    [
      'host ranges: several per name, steps, letters, zero padding, ports, IP addresses',
      'ranges/hosts',
    ],
  ])('%s', async (_shape, source) => {
    const path = join(fixtures, source);
    const expected = await ansibleInventoryList(path);
    const inventory = loadAnsibleInventory(await readInventoryFromPath(path));
    expect(normalizeListJson(inventory.toListJson())).toEqual(
      normalizeListJson(expected),
    );
  });

  it('shows the oracle is not trivially satisfied: precedence picks the child group and the host_vars file', async () => {
    const inventory = loadAnsibleInventory(
      await readInventoryFromPath(join(fixtures, 'precedence/inventory')),
    );
    expect(inventory.hostVars('k2.example')).toMatchObject({
      level: 'host-vars-file',
      tier: 'from-platform-group-vars',
    });
    // mongodb's ansible_group_priority=10 beats alpha and zeta at the same depth.
    expect(inventory.hostVars('k1.example').level).toBe('mongodb');
  });
});
