import { existsSync, readdirSync } from 'node:fs';
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
    [
      "issue 17's examples: inline comments end a host line, host:port against a parent group's ansible_port",
      'issue-17/hosts',
    ],
    // cases the differential test found (differential.test.ts saves them here)
    ...(existsSync(join(fixtures, 'differential'))
      ? readdirSync(join(fixtures, 'differential')).map(name => {
          const dir = join('differential', name);
          const source = existsSync(join(fixtures, dir, 'hosts'))
            ? join(dir, 'hosts')
            : join(dir, 'hosts.yml');
          return [`generated case ${name}`, source];
        })
      : []),
  ])('%s', async (_shape, source) => {
    const path = join(fixtures, source);
    const expected = await ansibleInventoryList(path);
    const inventory = loadAnsibleInventory(await readInventoryFromPath(path));
    expect(normalizeListJson(inventory.toListJson())).toEqual(
      normalizeListJson(expected),
    );
  });

  it("reads issue 17's examples as Ansible does: the comment ends the line, a later host:port does not override the group's port", async () => {
    const inventory = loadAnsibleInventory(
      await readInventoryFromPath(join(fixtures, 'issue-17/hosts')),
    );
    expect(inventory.hostVars('db6.ex.com')).toMatchObject({
      y: 'foo',
      engine: 15,
      region: 'x=y',
    });
    expect(inventory.hostVars('kfk2.ex.com')).not.toHaveProperty('x');
    expect(inventory.hostVars('web2.ex.com').ansible_port).toBe(0);
    expect(inventory.hostVars('web3.ex.com').ansible_port).toBe(2294);
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
