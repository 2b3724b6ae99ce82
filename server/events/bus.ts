// State changes fan out to the console (SSE) and, in the desktop app, to the
// tray and notifications. Events carry ids and states, never secrets or PINs.
export interface PaydeskEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

type Listener = (e: PaydeskEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  emit(type: string, data: Record<string, unknown>): void {
    const event = { type, data: { ...data, seq: ++this.seq } };
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
