// The merchant refund API's credential: a JWT the app signs with its secret,
// like a payment request (DESIGN section 3) and checked by the same code
// (signature, iss, aud, exp, iat, nbf in requests/verify.ts), with its own typ
// so a payment request can never be replayed as a refund, and a required jti
// so one refund token refunds once.
import { PaydeskError, type ErrorCode } from '../../contract/errors.ts';
import { verifyAppToken, type VerifyContext } from '../requests/verify.ts';

const REFUND_TYP = 'paydesk/refund/v1';

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
  const { app, claims, exp } = await verifyAppToken(token, ctx, { typ: REFUND_TYP, typCode: 'refund_typ_invalid', missingCode: 'refund_token_missing' });
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
