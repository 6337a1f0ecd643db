/** Splits a Server-Sent Events byte stream (as text) into frames. Pure. */

/** One SSE frame: its event name (default `message`) and its joined data lines. */
export interface SseFrame {
  event: string;
  data: string;
}

/**
 * Takes the complete frames off the front of `buffer`; `rest` is the unfinished tail to keep.
 * Comment lines (`:heartbeat`) and frames without data are dropped.
 */
export function takeFrames(buffer: string): { frames: SseFrame[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  const frames: SseFrame[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      if (field === 'data') data.push(value);
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return { frames, rest };
}
