// text/event-stream framing (the WHATWG HTML spec's event stream format), for GET
// /api/events: the console (renderer/src/events.ts) and the `paydesk` command
// (contract/client.ts streamEvents) read the stream with fetch, since EventSource
// cannot send a bearer header. Small enough to own rather than add a dependency
// that would have to run in a page, in Electron's main process and in Node.

/** One message of the stream as framed, before it is checked against the contract. */
export interface SseMessage {
  readonly type: string;
  /** The JSON of its data lines; undefined when they are not JSON. */
  readonly data: unknown;
}

/** Splits an SSE byte stream into events (text/event-stream framing). */
export class SseParser {
  private buffer = '';

  push(chunk: string): SseMessage[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseMessage[] = [];
    let idx: number;
    while ((idx = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.join('\n'));
      } catch {
        parsed = undefined;
      }
      out.push({ type, data: parsed });
    }
    return out;
  }
}

