// State changes fan out to the console (SSE) and, in the desktop app, to the
// tray and notifications. What may be emitted, and what each event carries, is
// the union in contract/events.ts: ids and states, never secrets or PINs.
import type { EventData, EventOf, EventType, PaydeskEvent } from '../../contract/events.ts';

export type { PaydeskEvent };

type Listener = (e: PaydeskEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  emit<T extends EventType>(type: T, data: EventData<T>): void {
    // The union's member for T by construction: data is that member's fields, seq is the bus's.
    const event = { type, data: { ...data, seq: ++this.seq } } as unknown as EventOf<T>;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // one broken subscriber must not stop the others, nor the change that emitted
      }
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
