/** One server-sent event. */
export interface ServerSentEvent {
  event: string;
  id?: string;
  data: string;
}

/**
 * Splits a text/event-stream body into events as chunks arrive. Keeps the
 * unfinished tail between calls, so chunk boundaries may fall anywhere.
 */
export function createEventStreamParser(
  onEvent: (event: ServerSentEvent) => void,
) {
  let buffer = '';
  return (chunk: string) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) onEvent({ event, id, data: data.join('\n') });
    }
  };
}
