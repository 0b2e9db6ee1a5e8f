import { mockCredentials } from '@backstage/backend-test-utils';
import { actorRef } from './actorRef';

describe('actorRef', () => {
  it('names a user by entity ref and anything else as a service', () => {
    expect(actorRef(mockCredentials.user('user:default/ada'))).toBe(
      'user:default/ada',
    );
    expect(actorRef(mockCredentials.service('external:ci'))).toBe(
      'service:external:ci',
    );
    expect(actorRef(mockCredentials.none())).toBe('service:unknown');
  });
});
