// Secrets shown once (after create or rotate) travel from the action to the
// app's page in memory only, and are handed out once: never in storage, never
// in a URL, gone on reload.

export interface OneTimeSecrets {
  readonly appKey: string;
  readonly kind: 'created' | 'rotated';
  readonly secretId: string;
  readonly secret: string;
  readonly webhookSecret?: string;
}

let pending: OneTimeSecrets | undefined;

export function putOneTimeSecrets(s: OneTimeSecrets): void {
  pending = s;
}

export function takeOneTimeSecrets(appKey: string): OneTimeSecrets | undefined {
  if (pending?.appKey !== appKey) return undefined;
  const s = pending;
  pending = undefined;
  return s;
}
