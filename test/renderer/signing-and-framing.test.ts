// Browser code that runs outside the page too: the Request lab's HS256 signer
// interoperates with jose, and the SSE parser frames events correctly. (What the
// lab shows about a token is the server's dry run: test/server/request-dry-run.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { signHS256 } from '../../renderer/src/jwt.ts';
import { SseParser } from '../../renderer/src/events.ts';

describe('browser-side signing and event framing', () => {
  it('signHS256 makes tokens jose verifies with the UTF-8 bytes of the secret', async () => {
    const secret = 'a-secret-with-ünïcode';
    const jwt = await signHS256({ iss: 'app_x', n: 1 }, secret);
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.iss, 'app_x');
    await assert.rejects(jwtVerify(jwt, new TextEncoder().encode(`${secret}x`), { algorithms: ['HS256'] }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('SseParser frames events across chunk boundaries and skips comments', () => {
    const p = new SseParser();
    assert.deepEqual(p.push(': paydesk events\n\nevent: purchase.created\ndata: {"id":"pur_1"'), []);
    assert.deepEqual(p.push(',"seq":1}\n\n: keep-alive\n\nevent: app.updated\r\ndata: {"key":"app_1"}\r\n\r\n'), [
      { type: 'purchase.created', data: { id: 'pur_1', seq: 1 } },
      { type: 'app.updated', data: { key: 'app_1' } },
    ]);
  });
});
