import { DefaultAuditorService } from '@backstage/backend-defaults/auditor';
import type { AuditorEvent } from '@backstage/backend-defaults/auditor';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { Redactor } from '../redaction';
import { audited, auditFailure } from './audited';

const secret = 'S3cret-Value-42';

/** Backstage's own auditor, writing its events to an array instead of a log. */
function recordingAuditor() {
  const events: AuditorEvent[] = [];
  const auditor = DefaultAuditorService.create(e => void events.push(e), {
    auth: mockServices.auth({ pluginId: 'fleet' }),
    httpAuth: mockServices.httpAuth({ pluginId: 'fleet' }),
    plugin: { getId: () => 'fleet' },
  });
  return { auditor, events };
}

const summary = (events: AuditorEvent[]) =>
  events.map(e => ({
    status: e.status,
    severityLevel: e.severityLevel,
    actorId: e.actor.actorId,
    meta: e.meta,
    error: 'error' in e ? String(e.error) : undefined,
  }));

describe('audited', () => {
  it('records initiated and succeeded, with the actor and the outcome', async () => {
    const { auditor, events } = recordingAuditor();
    const result = await audited(
      auditor,
      {
        eventId: 'publish-git',
        actor: mockCredentials.user('user:default/ada'),
        meta: { branch: 'main' },
      },
      async outcome => {
        outcome.commit = 'abc123';
        return 42;
      },
    );
    expect(result).toBe(42);
    expect(summary(events)).toEqual([
      {
        status: 'initiated',
        severityLevel: 'medium',
        actorId: 'plugin:fleet',
        meta: { branch: 'main', actor: 'user:default/ada' },
        error: undefined,
      },
      {
        status: 'succeeded',
        severityLevel: 'medium',
        actorId: 'plugin:fleet',
        meta: { branch: 'main', actor: 'user:default/ada', commit: 'abc123' },
        error: undefined,
      },
    ]);
  });

  it('records the failure with its error and rethrows it', async () => {
    const { auditor, events } = recordingAuditor();
    const boom = new Error('remote rejected the push');
    await expect(
      audited(
        auditor,
        { eventId: 'publish-git', severityLevel: 'high', actor: 'unknown' },
        async () => {
          throw boom;
        },
      ),
    ).rejects.toBe(boom);
    expect(
      summary(events).map(e => [e.status, e.severityLevel, e.error]),
    ).toEqual([
      ['initiated', 'high', undefined],
      ['failed', 'high', 'Error: remote rejected the push'],
    ]);
  });

  it('takes the actor from the request the operation serves', async () => {
    const { auditor, events } = recordingAuditor();
    const app = express().post('/records', async (req, res) => {
      // answer once the event is complete: the test reads it after the answer
      await audited(auditor, { eventId: 'record', request: req }, async () => {
        // the operation itself
      });
      res.status(201).end();
    });
    await request(app)
      .post('/records')
      .set('authorization', mockCredentials.user.header('user:default/grace'))
      .expect(201);
    expect(events.map(e => [e.status, e.actor.actorId])).toEqual([
      ['initiated', 'user:default/grace'],
      ['succeeded', 'user:default/grace'],
    ]);
  });

  it('redacts secrets from the meta, the outcome and the error, in place', async () => {
    const { auditor, events } = recordingAuditor();
    const redactor = new Redactor([secret]);
    const error = await audited(
      auditor,
      { eventId: 'run-start', meta: { note: `uses ${secret}` }, redactor },
      async outcome => {
        outcome.said = `echo ${secret}`;
        throw new Error(`step printed ${secret}`);
      },
    ).catch(e => e as Error);
    expect(error.message).toBe('step printed ***');
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(summary(events)[1]).toMatchObject({
      status: 'failed',
      meta: { note: 'uses ***', said: 'echo ***' },
      error: 'Error: step printed ***',
    });
  });

  it('refuses an operation whose meta holds a secret, before it runs', async () => {
    const { auditor, events } = recordingAuditor();
    let ran = false;
    await expect(
      audited(
        auditor,
        {
          eventId: 'run-start',
          meta: { targets: [`component:default/${secret}`] },
          redactor: new Redactor([secret]),
          refuseSecretsInMeta: 'The request holds a configured secret',
        },
        async () => {
          ran = true;
        },
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: 'The request holds a configured secret',
    });
    expect(ran).toBe(false);
    expect(events.map(e => e.status)).toEqual(['initiated', 'failed']);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('runs the operation alone when there is no auditor', async () => {
    await expect(
      audited(undefined, { eventId: 'x' }, async () => 'done'),
    ).resolves.toBe('done');
  });
});

describe('auditFailure', () => {
  it('records one failed event for an operation refused at the door', async () => {
    const { auditor, events } = recordingAuditor();
    await auditFailure(
      auditor,
      {
        eventId: 'deployment-record',
        severityLevel: 'high',
        meta: { reason: 'authentication failed' },
      },
      new Error('Illegal token'),
    );
    expect(
      summary(events).map(e => [e.status, e.severityLevel, e.error]),
    ).toEqual([
      ['initiated', 'high', undefined],
      ['failed', 'high', 'Error: Illegal token'],
    ]);
  });
});
