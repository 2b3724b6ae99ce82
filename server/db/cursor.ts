// Keyset pagination: a page ends at (created_at, id) and the next starts after
// it, so page N costs what page 1 costs at a million rows. The cursor is opaque
// to clients.
import { PaydeskError } from '../../contract/errors.ts';

export function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the validation error
  }
  throw new PaydeskError('validation_failed', { issues: [{ path: 'query.cursor', message: 'not a cursor from a previous page' }] });
}
