import { pollDelay } from './followJob';

describe('pollDelay', () => {
  it('polls a new job at a twentieth of the interval', () => {
    expect(pollDelay(0, 1000)).toBe(50);
    expect(pollDelay(400, 1000)).toBe(50);
    expect(pollDelay(0, 4000)).toBe(200);
  });

  it('then waits a tenth of the time the job has been followed', () => {
    expect(pollDelay(600, 1000)).toBe(60);
    expect(pollDelay(2500, 1000)).toBe(250);
    expect(pollDelay(9000, 1000)).toBe(900);
  });

  it('never longer than the interval, so long jobs are polled as before', () => {
    expect(pollDelay(10_000, 1000)).toBe(1000);
    expect(pollDelay(3_600_000, 1000)).toBe(1000);
    expect(pollDelay(3_600_000, 20)).toBe(20);
  });
});
