import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import {
  createNoticeHandler, expressHandler, fastifyPlugin, nodeHandler, signWebhook,
  type ChargebackNotice, type NoticeHandlerOptions, type PostbackNotice,
} from '../../sdk/index.ts';
import { appKey, chargebackClaims, close, deliver, listen, noticeClaims, secret, signHS256, webhookSecret } from './helpers.ts';

interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

type Mount = (options: NoticeHandlerOptions) => Promise<Running>;

async function serve(server: ReturnType<typeof createServer>, path: string): Promise<Running> {
  const base = await listen(server);
  return { url: `${base}${path}`, stop: () => close(server) };
}

const mounts: Readonly<Record<string, Mount>> = {
  'node http': (options) => serve(createServer(nodeHandler(options)), '/'),
  'express + urlencoded': (options) => {
    const app = express();
    app.post('/paydesk/notices', express.urlencoded({ extended: false }), expressHandler(options));
    return serve(createServer(app), '/paydesk/notices');
  },
  'express + raw': (options) => {
    const app = express();
    app.post('/paydesk/notices', express.raw({ type: 'application/x-www-form-urlencoded' }), expressHandler(options));
    return serve(createServer(app), '/paydesk/notices');
  },
  'express, no body parser': (options) => {
    const app = express();
    app.post('/paydesk/notices', expressHandler(options));
    return serve(createServer(app), '/paydesk/notices');
  },
  fastify: async (options) => {
    const app = Fastify();
    await app.register(fastifyPlugin, { prefix: '/paydesk/notices', ...options });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${base}/paydesk/notices`, stop: () => app.close() };
  },
};

/** Records callback calls; `failures` makes the next n postback calls throw. */
function recorder(failures = 0): { postbacks: PostbackNotice[]; chargebacks: ChargebackNotice[]; options: NoticeHandlerOptions } {
  const postbacks: PostbackNotice[] = [];
  const chargebacks: ChargebackNotice[] = [];
  let remaining = failures;
  return {
    postbacks,
    chargebacks,
    options: {
      appKey,
      secret,
      onPostback: (n) => {
        postbacks.push(n);
        if (remaining-- > 0) throw new Error('database is down');
      },
      onChargeback: (n) => { chargebacks.push(n); },
    },
  };
}

const form = (jwt: string): string => `notice=${jwt}`;

for (const [name, mount] of Object.entries(mounts)) {
  describe(`notice handler over ${name}`, () => {
    test('a good postback: 200, the transaction id as body, callback once', async () => {
      const r = recorder();
      const app = await mount(r.options);
      try {
        assert.deepEqual(await deliver(app.url, form(await signHS256(noticeClaims()))), { status: 200, body: 'txn_0001' });
        assert.equal(r.postbacks.length, 1);
        assert.equal(r.postbacks[0]?.price.amount, '0.99');
        assert.equal(r.chargebacks.length, 0);
      } finally {
        await app.stop();
      }
    });

    test('the same notice twice: callback once, 200 + id both times', async () => {
      const r = recorder();
      const app = await mount(r.options);
      try {
        const body = form(await signHS256(noticeClaims()));
        assert.deepEqual(await deliver(app.url, body), { status: 200, body: 'txn_0001' });
        assert.deepEqual(await deliver(app.url, body), { status: 200, body: 'txn_0001' });
        assert.equal(r.postbacks.length, 1);
      } finally {
        await app.stop();
      }
    });

    test('a chargeback goes to onChargeback', async () => {
      const r = recorder();
      const app = await mount(r.options);
      try {
        assert.deepEqual(await deliver(app.url, form(await signHS256(chargebackClaims('refund')))), { status: 200, body: 'txn_0001' });
        assert.equal(r.chargebacks[0]?.reason, 'refund');
        assert.equal(r.postbacks.length, 0);
      } finally {
        await app.stop();
      }
    });

    test('a bad signature or no notice: 400 with the code, no callback', async () => {
      const r = recorder();
      const app = await mount(r.options);
      try {
        const forged = await signHS256(noticeClaims(), new TextEncoder().encode('not-the-secret'));
        assert.deepEqual(await deliver(app.url, form(forged)), { status: 400, body: 'notice_signature' });
        assert.deepEqual(await deliver(app.url, 'other=1'), { status: 400, body: 'notice_missing' });
        assert.equal(r.postbacks.length, 0);
      } finally {
        await app.stop();
      }
    });

    test('a throwing callback: 500, and the retry runs it again', async () => {
      const r = recorder(1);
      const app = await mount(r.options);
      try {
        const body = form(await signHS256(noticeClaims()));
        assert.deepEqual(await deliver(app.url, body), { status: 500, body: 'callback_failed' });
        assert.deepEqual(await deliver(app.url, body), { status: 200, body: 'txn_0001' });
        assert.deepEqual(await deliver(app.url, body), { status: 200, body: 'txn_0001' });
        assert.equal(r.postbacks.length, 2);
      } finally {
        await app.stop();
      }
    });

    test('with a webhook secret: headers required; webhook-id dedupes re-signed retries', async () => {
      const r = recorder();
      const app = await mount({ ...r.options, webhookSecret });
      try {
        // A retry may carry a freshly signed JWT (new jti) but keeps its webhook-id.
        const first = form(await signHS256(noticeClaims()));
        const retry = form(await signHS256(noticeClaims()));
        assert.notEqual(first, retry);
        const sign = (id: string, body: string): Record<string, string> => ({ ...signWebhook({ id, body, secret: webhookSecret }) });
        assert.deepEqual(await deliver(app.url, first, sign('msg_1', first)), { status: 200, body: 'txn_0001' });
        assert.deepEqual(await deliver(app.url, retry, sign('msg_1', retry)), { status: 200, body: 'txn_0001' });
        assert.equal(r.postbacks.length, 1);

        assert.deepEqual(await deliver(app.url, first), { status: 400, body: 'webhook_headers' });
        assert.deepEqual(await deliver(app.url, retry, sign('msg_2', first)), { status: 400, body: 'webhook_signature' });
        assert.equal(r.postbacks.length, 1);
      } finally {
        await app.stop();
      }
    });
  });
}

describe('notice handler core', () => {
  test('a delivery that arrives while the same notice runs gets 409, so the provider retries', async () => {
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const handle = createNoticeHandler({
      appKey, secret,
      onPostback: (n) => new Promise<void>((resolve) => { calls.push(n.jti); release = resolve; }),
      onChargeback: () => undefined,
    });
    const body = form(await signHS256(noticeClaims()));
    const first = handle(body, {});
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await handle(body, {}), { status: 409, body: 'notice_in_progress' });
    release();
    assert.deepEqual(await first, { status: 200, body: 'txn_0001' });
    assert.deepEqual(await handle(body, {}), { status: 200, body: 'txn_0001' });
    assert.equal(calls.length, 1);
  });

  test('without a webhook secret an unsigned webhook-id is ignored: a replay under a new id is still a duplicate', async () => {
    const r = recorder();
    const handle = createNoticeHandler(r.options);
    const body = form(await signHS256(noticeClaims()));
    await handle(body, { 'webhook-id': 'a' });
    assert.deepEqual(await handle(body, { 'webhook-id': 'b' }), { status: 200, body: 'txn_0001' });
    assert.equal(r.postbacks.length, 1);
  });

  test('a failing store answers 500 and onError hears about callback failures', async () => {
    const errors: unknown[] = [];
    const broken = createNoticeHandler({
      ...recorder().options,
      seen: { begin: () => { throw new Error('store down'); }, complete: () => undefined, abandon: () => undefined },
    });
    assert.deepEqual(await broken(form(await signHS256(noticeClaims())), {}), { status: 500, body: 'internal_error' });

    const r = recorder(1);
    const handle = createNoticeHandler({ ...r.options, onError: (e) => errors.push(e) });
    assert.equal((await handle(form(await signHS256(noticeClaims())), {})).status, 500);
    assert.match(String(errors[0]), /database is down/);
  });

  test('node adapter refuses other methods and oversized bodies', async () => {
    const server = createServer(nodeHandler(recorder().options));
    const base = await listen(server);
    try {
      const get = await fetch(base);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      assert.deepEqual(await deliver(base, `notice=${'a'.repeat(70 * 1024)}`), { status: 413, body: 'notice_too_large' });
    } finally {
      await close(server);
    }
  });
});
