// The merchant refund API's credential: a JWT the app signs with its secret,
// like a payment request (DESIGN section 3) and checked by the same code
// (signature, iss, aud, exp, iat, nbf in requests/verify.ts), with its own typ
// so a payment request can never be replayed as a refund, and a required jti
// so one refund token refunds once.
import { PaydeskError, type ErrorCode } from '../errors.ts';
import { peekRequest, verifySignatureAndClaims, type VerifyContext } from '../requests/verify.ts';

export const REFUND_TYP = 'paydesk/refund/v1';

export interface VerifiedRefundToken {
  readonly appKey: string;
  readonly jti: string;
  readonly exp: number;
  readonly transactionID: string;
  /** A decimal in the purchase's currency ("0.50"); absent = everything still refundable. */
  readonly amount: string | number | undefined;
  readonly reason: string | undefined;
}

const fail = (code: ErrorCode, details: Record<string, unknown> = {}): never => {
  throw new PaydeskError(code, details);
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function verifyRefundToken(token: unknown, ctx: VerifyContext): Promise<VerifiedRefundToken> {
  if (typeof token !== 'string' || token.length === 0) return fail('refund_token_missing');
  if (Buffer.byteLength(token) > ctx.limits.maxTokenBytes) return fail('request_too_large', { limit: ctx.limits.maxTokenBytes });
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return fail('request_malformed');
  const { header, payload } = peekRequest(token);
  if (header.alg !== 'HS256') return fail('request_alg_not_allowed', { alg: header.alg ?? null });
  if (typeof payload.iss !== 'string' || payload.iss === '') return fail('request_issuer_missing');
  const app = ctx.findApp(payload.iss);
  if (!app) return fail('request_issuer_unknown');
  if (app.status !== 'active') return fail('request_app_disabled');

  const { claims } = await verifySignatureAndClaims(token, payload.iss, app, ctx);
  if (claims.typ !== REFUND_TYP) return fail('refund_typ_invalid', { typ: claims.typ ?? null });
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  if (iat > Math.floor(ctx.now / 1000) + ctx.limits.clockSkewSeconds) return fail('request_iat_in_future');
  if (exp - iat > ctx.limits.maxLifetimeSeconds) return fail('request_lifetime_too_long', { limitSeconds: ctx.limits.maxLifetimeSeconds });
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 255) return fail('refund_jti_missing');

  const r = claims.refund;
  if (!isRecord(r)) return fail('refund_field_invalid', { field: 'refund' });
  if (typeof r.transactionID !== 'string' || r.transactionID.length === 0 || r.transactionID.length > 255) return fail('refund_field_invalid', { field: 'refund.transactionID' });
  if (r.amount !== undefined && typeof r.amount !== 'string' && typeof r.amount !== 'number') return fail('refund_amount_invalid');
  if (r.reason !== undefined && (typeof r.reason !== 'string' || r.reason.length > 255)) return fail('refund_field_invalid', { field: 'refund.reason' });
  return {
    appKey: app.key, jti: claims.jti, exp, transactionID: r.transactionID,
    amount: r.amount as string | number | undefined, reason: r.reason as string | undefined,
  };
}
