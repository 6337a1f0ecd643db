/** A pure, incremental Server-Sent Events parser (the `id/event/data` subset the broker sends). */

/** One complete SSE message. `id` is null when the message set none. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Parser state carried between chunks. */
export interface SseParser {
  /** Feeds decoded text; answers the messages completed by it. */
  push(text: string): SseMessage[];
}

/** Creates a parser. Comments (`:heartbeat`) and unknown fields are ignored, as the spec says. */
export function createSseParser(): SseParser {
  let buffer = '';
  let id: string | null = null;
  let event = '';
  let data: string[] = [];
  const reset = () => {
    id = null;
    event = '';
    data = [];
  };
  function line(text: string): SseMessage | null {
    if (text === '') {
      const done =
        data.length > 0 ? { id, event: event || 'message', data: data.join('\n') } : null;
      reset();
      return done;
    }
    if (text.startsWith(':')) return null;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    return null;
  }
  return {
    push(text) {
      buffer += text;
      const out: SseMessage[] = [];
      let end = /\r\n|\r|\n/.exec(buffer);
      while (end) {
        const message = line(buffer.slice(0, end.index));
        if (message) out.push(message);
        buffer = buffer.slice(end.index + end[0].length);
        end = /\r\n|\r|\n/.exec(buffer);
      }
      return out;
    },
  };
}
