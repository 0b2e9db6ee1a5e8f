import {
  fullEntityRef,
  isEntityKind,
  ownerRef,
  sameEntityRef,
  toEntityRef,
  tryParseEntityRef,
} from './refs';

describe('entity ref helpers', () => {
  it('fill in kind and namespace the way a spec means them', () => {
    expect(toEntityRef('sre', { defaultKind: 'group' })).toEqual({
      kind: 'group',
      namespace: 'default',
      name: 'sre',
    });
    expect(
      fullEntityRef('platform', {
        defaultKind: 'system',
        defaultNamespace: 'ops',
      }),
    ).toBe('system:ops/platform');
    expect(fullEntityRef('user:bank/ada', { defaultKind: 'group' })).toBe(
      'user:bank/ada',
    );
  });

  it('answer undefined, not an exception, for what is not a ref', () => {
    expect(
      tryParseEntityRef('group:', { defaultKind: 'group' }),
    ).toBeUndefined();
    expect(tryParseEntityRef('/sre', { defaultKind: 'group' })).toBeUndefined();
    expect(tryParseEntityRef('sre')).toBeUndefined(); // no kind to default to
    expect(fullEntityRef(42)).toBeUndefined();
    expect(fullEntityRef('')).toBeUndefined();
    expect(() => toEntityRef('sre')).toThrow(/kind/);
  });

  it('compare refs after defaults and ignoring case', () => {
    expect(
      sameEntityRef('Group:default/SRE', 'sre', { defaultKind: 'group' }),
    ).toBe(true);
    expect(
      sameEntityRef('sre', 'group:ops/sre', { defaultKind: 'group' }),
    ).toBe(false);
    expect(sameEntityRef(undefined, undefined)).toBe(false);
  });

  it('write owners as ownership relations do: in full, lower case', () => {
    expect(ownerRef('SRE')).toBe('group:default/sre');
    expect(ownerRef('sre', 'bank')).toBe('group:bank/sre');
    expect(ownerRef('user:Ada', 'bank')).toBe('user:bank/ada');
  });

  it('compare kinds ignoring case', () => {
    const entity = { apiVersion: 'v1', kind: 'Group', metadata: { name: 'x' } };
    expect(isEntityKind(entity, 'group')).toBe(true);
    expect(isEntityKind(entity, 'cluster')).toBe(false);
  });
});
