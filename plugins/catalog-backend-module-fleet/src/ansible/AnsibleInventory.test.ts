import { AnsibleInventory } from './AnsibleInventory';

describe('AnsibleInventory', () => {
  it('lists a child once, in the order first added, however often it is added', () => {
    const inventory = new AnsibleInventory();
    inventory.addChild('kafka', 'kafka_c1');
    inventory.addChild('kafka', 'kafka_c0');
    inventory.addChild('kafka', 'kafka_c1');
    inventory.addChild('all', 'kafka');
    inventory.addChild('kafka', 'kafka_c0');
    expect(inventory.childrenOf('kafka')).toEqual(['kafka_c1', 'kafka_c0']);
    expect([...inventory.ancestors('kafka_c0')].sort()).toEqual([
      'all',
      'kafka',
    ]);
    expect(() => inventory.addChild('kafka_c0', 'kafka')).toThrow(
      /recursive dependency loop/,
    );
  });

  it('adds 40,000 children to one group in linear time', () => {
    const inventory = new AnsibleInventory();
    const cpu = process.cpuUsage();
    for (let i = 0; i < 40_000; i++) inventory.addChild('kafka', `kafka_c${i}`);
    // a look through the siblings per child took seconds here
    expect(process.cpuUsage(cpu).user / 1000).toBeLessThan(1000);
    expect(inventory.childrenOf('kafka')).toHaveLength(40_000);
    expect(inventory.childrenOf('kafka')[39_999]).toBe('kafka_c39999');
  });
});
