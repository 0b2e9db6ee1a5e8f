import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { resolve } from 'path';
import { TrustPolicy } from './TrustPolicy';

function entity(kind: string, location: string, origin = location): Entity {
  return {
    apiVersion: 'fleetdeck.io/v1alpha1',
    kind,
    metadata: {
      name: 'x',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': origin,
      },
    },
  };
}

const ops = 'url:https://git.bank.example/ops/runbooks/-/blob/main/';

describe('TrustPolicy', () => {
  const policy = TrustPolicy.fromConfig(
    new ConfigReader({
      catalog: {
        locations: [
          { type: 'file', target: '../../examples/runbooks/locations.yaml' },
        ],
      },
      runbooks: { trustedSources: [ops] },
    }),
  );
  const demoOrigin = `file:${resolve(
    '../../examples/runbooks/locations.yaml',
  )}`;

  it('trusts what was read through a catalog location in app-config', () => {
    // the catalog resolves file targets against the working directory, as here
    expect(
      policy.runbook(
        entity(
          'Runbook',
          `file:${resolve('../../examples/runbooks/kafka/catalog-info.yaml')}`,
          demoOrigin,
        ),
      ),
    ).toEqual({ trusted: true });
  });

  it('trusts a runbook read from and registered under runbooks.trustedSources', () => {
    const file = `${ops}kafka/catalog-info.yaml`;
    expect(policy.runbook(entity('Runbook', file))).toEqual({
      trusted: true,
    });
  });

  it('refuses a runbook from a location a user registered, saying where it came from and which setting allows it', () => {
    const guest =
      'url:https://git.bank.example/guest/tools/-/blob/main/catalog-info.yaml';
    const trust = policy.runbook(entity('Runbook', guest));
    expect(trust).toEqual({
      trusted: false,
      reason: `Not trusted: runbook:default/x was read from ${guest}, which is neither a catalog location in app-config nor under runbooks.trustedSources`,
    });
  });

  it('refuses a trusted file reached from an untrusted registration, and a look-alike prefix', () => {
    // registered by a user, pointing into the trusted repository
    expect(
      policy.runbook(
        entity(
          'Runbook',
          `${ops}kafka/catalog-info.yaml`,
          'url:https://git.bank.example/guest/x/-/blob/main/catalog-info.yaml',
        ),
      ).trusted,
    ).toBe(false);
    // ".../ops/runbooks-evil/" is not under ".../ops/runbooks/"
    expect(
      policy.runbook(
        entity(
          'Runbook',
          'url:https://git.bank.example/ops/runbooks-evil/-/blob/main/x.yaml',
        ),
      ).trusted,
    ).toBe(false);
  });

  it('acts on inventory clusters, refuses a user-registered cluster with the reason', () => {
    expect(
      policy.target(entity('Cluster', 'fleet-inventory:ansible/prod')),
    ).toEqual({ trusted: true });
    const trust = policy.target(
      entity('Cluster', 'url:https://git.bank.example/guest/c.yaml'),
    );
    expect(trust.trusted).toBe(false);
    expect(trust).toMatchObject({
      reason: expect.stringMatching(
        /^Not a trusted target: cluster:default\/x was read from url:https:\/\/git\.bank\.example\/guest\/c\.yaml.*nor from an inventory provider$/,
      ),
    });
    // no annotations at all: nothing to trust
    expect(
      policy.target({
        apiVersion: 'v1',
        kind: 'Cluster',
        metadata: { name: 'y' },
      }).trusted,
    ).toBe(false);
  });

  it('refuses settings that would trust too much or cannot be read', () => {
    const load = (trustedSources: string[]) => () =>
      TrustPolicy.fromConfig(
        new ConfigReader({ runbooks: { trustedSources } }),
      );
    expect(load(['https://git.bank.example/ops/'])).toThrow(
      /runbooks.trustedSources\[0\] 'https:\/\/git.bank.example\/ops\/' is not a location ref/,
    );
    expect(load(['url:https://git.bank.example/'])).toThrow(
      /names a whole server/,
    );
    expect(load(['url:not a url'])).toThrow(/is not a valid URL/);
  });
});
