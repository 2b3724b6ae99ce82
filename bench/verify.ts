// Request verification: our full verifier (jose + our checks) against a raw
// HS256 HMAC check over the same tokens, measured in the same run.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import { verifyPaymentRequest, defaultLimits, type AppForVerification } from '../server/requests/verify.ts';
import type { Row } from './report.ts';

export async function benchVerify(durationMs = 2000): Promise<Row[]> {
  const secret = 'bench-secret-'.padEnd(43, 'x');
  const key = new TextEncoder().encode(secret);
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const app: AppForVerification = {
    key: 'app_bench', status: 'active', access: 'live', postbackURL: 'http://127.0.0.1:9/p', chargebackURL: 'http://127.0.0.1:9/c',
    secrets: [{ id: 'sec_1', secret, state: 'active' }],
  };
  const tokens = await Promise.all(Array.from({ length: 256 }, (_, i) => new SignJWT({
    iss: app.key, aud: 'paydesk', typ: 'mozilla/payments/pay/v1', iat, exp: iat + 600, jti: `j${i}`,
    request: { id: `p${i}`, name: 'Pony', description: 'Shiny', price: '1.99', currency: 'USD', productData: `o=${i}` },
  }).setProtectedHeader({ alg: 'HS256' }).sign(key)));
  const ctx = { now, audiences: ['paydesk'], defaultCurrency: 'USD', limits: defaultLimits, findApp: () => app, jtiSeen: () => false, ownPorts: new Set([7402]) };

  const rawVerify = (t: string) => {
    const dot = t.lastIndexOf('.');
    const mac = createHmac('sha256', key).update(t.slice(0, dot)).digest();
    const sig = Buffer.from(t.slice(dot + 1), 'base64url');
    return sig.length === mac.length && timingSafeEqual(sig, mac) && JSON.parse(Buffer.from(t.slice(t.indexOf('.') + 1, dot), 'base64url').toString());
  };

  // Verifications per second, and the CPU each took on all of the process's threads (µs):
  // on a shared machine the second moves less than the first (a WebCrypto job runs on the thread pool).
  async function measure(fn: (t: string) => unknown): Promise<{ perSecond: number; cpuUs: number }> {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const end = performance.now() + durationMs;
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) await fn(tokens[i]!);
      n += 256;
    }
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: n / (durationMs / 1000), cpuUs: (cpu.user + cpu.system) / n };
  }
  await measure(rawVerify);
  await measure((t) => verifyPaymentRequest(t, ctx));
  const rawRun = await measure(rawVerify);
  const oursRun = await measure((t) => verifyPaymentRequest(t, ctx));
  const raw = rawRun.perSecond;
  const ours = oursRun.perSecond;
  return [
    { name: 'CPU per raw check', value: rawRun.cpuUs, unit: 'µs' },
    { name: 'CPU per Paydesk verification', value: oursRun.cpuUs, unit: 'µs' },
    { name: 'raw HMAC-SHA256 check (reference)', value: Math.round(raw), unit: 'verif/s' },
    { name: 'Paydesk verifier (jose + our checks)', value: Math.round(ours), unit: 'verif/s' },
    { name: 'ratio to the reference', value: ours / raw, unit: 'x', goal: '>= 0.3', ok: ours / raw >= 0.3 },
  ];
}
