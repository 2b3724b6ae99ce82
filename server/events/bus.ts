// State changes fan out to the console (SSE) and, in the desktop app, to the
// tray and notifications. What may be emitted, and what each event carries, is
// the union in contract/events.ts: ids and states, never secrets or PINs.
import type { EventData, EventOf, EventType, PaydeskEvent } from '../../contract/events.ts';

export type { PaydeskEvent };

type Listener = (e: PaydeskEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private seq = 0;
  private readonly queue: PaydeskEvent[] = [];
  private delivering = false;

  emit<T extends EventType>(type: T, data: EventData<T>): void {
    // The union's member for T by construction: data is that member's fields, seq is the bus's.
    this.queue.push({ type, data: { ...data, seq: ++this.seq } } as unknown as EventOf<T>);
    // A listener that emits (the dispatcher announces the notices of a completed purchase)
    // has its event delivered once the one it reacted to has reached every listener:
    // each listener then gets the events in seq order, so a gap in seq means a miss.
    if (this.delivering) return;
    this.delivering = true;
    for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch {
          // one broken subscriber must not stop the others, nor the change that emitted
        }
      }
    }
    this.delivering = false;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
