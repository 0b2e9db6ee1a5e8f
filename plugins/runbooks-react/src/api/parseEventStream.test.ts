import { createEventStreamParser, ServerSentEvent } from './parseEventStream';

describe('createEventStreamParser', () => {
  it('reassembles events split across chunks', () => {
    const events: ServerSentEvent[] = [];
    const push = createEventStreamParser(e => events.push(e));
    push('event: log\nid: 7\nda');
    push('ta: {"a":1}\n\nevent: run\r\ndata: {"b":2}\r\n');
    expect(events).toEqual([{ event: 'log', id: '7', data: '{"a":1}' }]);
    push('\r\n: keep-alive comment\n\n');
    expect(events).toEqual([
      { event: 'log', id: '7', data: '{"a":1}' },
      { event: 'run', id: undefined, data: '{"b":2}' },
    ]);
  });
});
