// Server-sent events from GET /api/events, read with fetch + ReadableStream
// (EventSource cannot send the desktop app's bearer header). One connection for
// the whole console; it reconnects with backoff and, after a gap, tells every
// subscriber to resync because events may have been missed. What arrives is
// checked against the contract's event union (contract/events.ts): subscribers
// narrow on `type`, and a message of no known type or shape never reaches them.
import { routes } from '../../contract/api.ts';
import { parseEvent, selects, type EventSelector, type PaydeskEvent } from '../../contract/events.ts';
import { SseParser } from '../../contract/sse.ts';
import { connection } from './connection.ts';
import { notifySessionEnded } from './api.ts';

/** Sent to subscribers after a reconnect: reload whatever you show. */
export const RESYNC = 'console.resync';

/** What subscribers get: an event of the server's, or the console's own RESYNC. */
export type ServerEvent = PaydeskEvent | { readonly type: typeof RESYNC };

export { SseParser, type SseMessage } from '../../contract/sse.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline';

type Listener = (e: ServerEvent) => void;
type StateListener = (s: StreamState) => void;

class EventStream {
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();
  private state: StreamState = 'connecting';
  private started = false;
  private attempt = 0;
  private everConnected = false;

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    this.start();
    return () => this.listeners.delete(l);
  }

  onState(l: StateListener): () => void {
    this.stateListeners.add(l);
    l(this.state);
    this.start();
    return () => this.stateListeners.delete(l);
  }

  private setState(s: StreamState): void {
    if (s === this.state) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private emit(e: ServerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.warn('event listener failed', err);
      }
    }
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      const outcome = await this.connectOnce();
      if (outcome === 'unauthorized') {
        this.setState('offline');
        notifySessionEnded();
        return;
      }
      this.attempt++;
      this.setState(this.attempt > 3 ? 'offline' : 'reconnecting');
      // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... at most 15 s.
      const delay = Math.min(15_000, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() * 0.5);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async connectOnce(): Promise<'closed' | 'unauthorized'> {
    try {
      const conn = await connection();
      const res = await fetch(`${conn.baseUrl}${routes.streamEvents.path}`, {
        headers: { accept: 'text/event-stream', ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}) },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (res.status === 401) return 'unauthorized';
      if (!res.ok || !res.body) return 'closed';
      this.attempt = 0;
      this.setState('live');
      if (this.everConnected) this.emit({ type: RESYNC });
      this.everConnected = true;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'closed';
        for (const m of parser.push(value)) {
          const e = parseEvent(m.type, m.data);
          if (e !== null) this.emit(e);
        }
      }
    } catch {
      return 'closed';
    }
  }
}

export const events = new EventStream();

/** True when the event is one the selectors name ("purchase." names every purchase.* event), or RESYNC, which asks everyone to reload. */
export function matches(type: ServerEvent['type'], selectors: readonly EventSelector[]): boolean {
  return type === RESYNC || selects(selectors, type);
}
