import {
  CancelledError,
  LostClaimError,
  sleep,
  TargetAbort,
} from './ActiveTargets';

describe('TargetAbort', () => {
  it('tells each listener once, with the first reason only', () => {
    const abort = new TargetAbort();
    const heard: string[] = [];
    abort.onAbort(e => heard.push(`a:${e.message}`));
    const forget = abort.onAbort(e => heard.push(`b:${e.message}`));
    abort.onAbort(e => heard.push(`c:${e.constructor.name}`));
    forget();
    abort.abort(new CancelledError('Run cancelled'));
    abort.abort(new LostClaimError('claim lost'));
    expect(heard).toEqual(['a:Run cancelled', 'c:CancelledError']);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBeInstanceOf(CancelledError);
    // a listener added after the abort hears it at once
    abort.onAbort(e => heard.push(`late:${e.message}`));
    expect(heard).toContain('late:Run cancelled');
  });
});

describe('sleep', () => {
  it('waits its time without an abort', async () => {
    const started = Date.now();
    await sleep(60, new TargetAbort());
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('ends early when the target is aborted, and at once when it already was', async () => {
    const abort = new TargetAbort();
    const started = Date.now();
    const waiting = sleep(10_000, abort);
    setTimeout(() => abort.abort(new LostClaimError('worker stopped')), 20);
    await waiting;
    await sleep(10_000, abort);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
