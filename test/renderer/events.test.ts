// The console's event stream: SSE framing, then the contract's union, so a pane
// only ever sees events the server declares. The @ts-expect-error lines are the
// checks that matter most: tsc (run by `npm test`) fails if any of them compiles,
// i.e. if reading a field nobody sends, or listening to a name nobody sends, ever
// type-checks again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent, type EventSelector, type PaydeskEvent } from '../../contract/events.ts';
import { RESYNC, SseParser, matches, type ServerEvent } from '../../renderer/src/events.ts';
import type { EventBus } from '../../server/events/bus.ts';

const received = (chunks: readonly string[]) => {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c)).map((m) => parseEvent(m.type, m.data));
};

describe('console events', () => {
  it('frames messages across chunks and keeps only members of the union', () => {
    assert.deepEqual(received([
      ': paydesk events\n\nevent: purchase.created\ndata: {"id":"pur_1","appKey":"app_1",',
      '"status":"pending","seq":1}\n\n: keep-alive\n\nevent: app.updated\r\ndata: {"key":"app_1","status":"disabled","seq":2}\r\n\r\n',
      'event: purchase.teleported\ndata: {"id":"pur_1","seq":3}\n\n',
      'event: app.updated\ndata: {"key":"app_1","seq":4}\n\n',
      'event: app.created\ndata: not json\n\n',
    ]), [
      { type: 'purchase.created', data: { id: 'pur_1', appKey: 'app_1', status: 'pending', seq: 1 } },
      { type: 'app.updated', data: { key: 'app_1', status: 'disabled', seq: 2 } },
      null, null, null,
    ]);
  });

  it('a pane listens to types or groups of the union; RESYNC reaches every pane', () => {
    assert.equal(matches('purchase.completed', ['purchase.']), true);
    assert.equal(matches('purchase.completed', ['app.', 'purchase.completed']), true);
    assert.equal(matches('purchase.created', ['app.', 'purchase.completed']), false);
    assert.equal(matches('notice.failed', ['buyer.']), false);
    assert.equal(matches(RESYNC, ['app.']), true);
  });

  it('types: a field nobody sends, or an event name nobody sends, does not compile', () => {
    const reads = (e: ServerEvent): unknown[] => {
      const out: unknown[] = [];
      if (e.type === RESYNC) return out;
      if (e.type === 'notice.failed') {
        out.push(e.data.appKey, e.data.attempts);
        // The dispatcher never sends the app's name (electron/watch.ts asks the API for it).
        // @ts-expect-error appName is no field of notice.failed
        out.push(e.data.appName);
      }
      if (e.type === 'purchase.completed') out.push(e.data.transactionID);
      // @ts-expect-error before narrowing on type, a field only some members have cannot be read
      out.push(e.data.id);
      return out;
    };
    assert.deepEqual(reads({ type: RESYNC }), []);

    // @ts-expect-error no event is named purchase.teleported
    const unknownName: EventSelector = 'purchase.teleported';
    // @ts-expect-error nor is there a group of events named "purchases."
    const unknownGroup: EventSelector[] = ['purchases.'];
    assert.ok(unknownName && unknownGroup);

    // The server side: emit takes only members of the union, with their fields.
    const emits = (bus: EventBus) => {
      bus.emit('notice.failed', { id: 'ntc_1', appKey: 'app_1', type: 'postback', transactionID: null, attempts: 1, verdict: 'timeout', reason: null });
      // @ts-expect-error a field its member does not have
      bus.emit('buyer.pin_failed', { id: 'buy_1', locked: false, pin: '2468' });
      // @ts-expect-error the bus numbers events itself
      bus.emit('app.created', { key: 'app_1', seq: 1 });
      // @ts-expect-error an event nobody declared
      bus.emit('app.deleted', { key: 'app_1' });
    };
    assert.equal(typeof emits, 'function');
    const typed: PaydeskEvent['type'][] = ['provider_key.rotated'];
    assert.ok(typed);
  });
});
