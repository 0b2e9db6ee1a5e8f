import {
  isBelowPolicy,
  parseVersionPolicy,
  VersionPolicyError,
  versionStatus,
} from './versionPolicy';

const demo = {
  kafka: {
    minimum: '3.7.0',
    endOfLife: ['3.5'],
    target: '3.8.0',
    runbook: 'runbook:default/kafka-rolling-patch',
  },
  postgresql: { minimum: 15 },
};

describe('parseVersionPolicy', () => {
  it('reads a policy per engine, the target defaulting to the minimum', () => {
    expect(parseVersionPolicy(demo)).toEqual({
      kafka: {
        minimum: '3.7.0',
        endOfLife: ['3.5'],
        target: '3.8.0',
        runbook: 'runbook:default/kafka-rolling-patch',
      },
      postgresql: { minimum: '15', endOfLife: [], target: '15' },
    });
    expect(parseVersionPolicy(undefined)).toEqual({});
  });

  it('completes a short runbook ref', () => {
    expect(
      parseVersionPolicy({ kafka: { minimum: '3.7', runbook: 'patch-it' } })
        .kafka?.runbook,
    ).toBe('runbook:default/patch-it');
  });

  it.each([
    [
      { cassandra: { minimum: '4.1' } },
      'Invalid fleet.versionPolicy.cassandra: unknown engine "cassandra" (known: kafka, mongodb, postgresql, kubernetes, redis, other)',
    ],
    [
      { kafka: { minimum: '3.7.x' } },
      'Invalid fleet.versionPolicy.kafka.minimum: "3.7.x" is not a version (digits and dots, e.g. 3.7.0)',
    ],
    [
      { kafka: { minimum: '3.7', endOfLife: ['3.5', 'three'] } },
      'Invalid fleet.versionPolicy.kafka.endOfLife[1]: "three" is not a version (digits and dots, e.g. 3.7.0)',
    ],
    [
      { kafka: { minimum: '3.7.0', endOfLife: ['3.8'] } },
      'Invalid fleet.versionPolicy.kafka.endOfLife[0]: 3.8 is not below the minimum 3.7.0',
    ],
    [
      { kafka: { minimum: '3.7.0', target: '3.6.2' } },
      'Invalid fleet.versionPolicy.kafka.target: 3.6.2 is below the minimum 3.7.0',
    ],
    [
      { kafka: { minimum: '3.7.0', minimun: '3.6' } },
      'Invalid fleet.versionPolicy.kafka.minimun: unknown setting (known: minimum, endOfLife, target, runbook)',
    ],
    [{ kafka: {} }, 'Invalid fleet.versionPolicy.kafka.minimum: undefined'],
    [
      ['kafka'],
      'Invalid fleet.versionPolicy: must be an object keyed by engine',
    ],
  ])('refuses %j naming the setting', (raw, message) => {
    let error: unknown;
    try {
      parseVersionPolicy(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VersionPolicyError);
    expect((error as Error).message).toContain(message);
  });
});

describe('versionStatus', () => {
  const policy = parseVersionPolicy(demo);
  it.each([
    ['3.5.1', 'eol'],
    ['3.6.2', 'outdated'],
    ['3.7.0', 'current'],
    ['3.7.1', 'current'],
    ['3.10.0', 'current'],
  ])('kafka %s is %s', (version, status) => {
    expect(versionStatus(policy, 'kafka', version)).toBe(status);
  });

  it('knows nothing of engines without a policy', () => {
    expect(versionStatus(policy, 'redis', '6.0')).toBe('unknown');
  });

  it('counts end-of-life versions as below the policy', () => {
    expect(isBelowPolicy('eol')).toBe(true);
    expect(isBelowPolicy('outdated')).toBe(true);
    expect(isBelowPolicy('current')).toBe(false);
    expect(isBelowPolicy('unknown')).toBe(false);
  });
});
