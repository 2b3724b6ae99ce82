// "Copy as curl": the exact request of an attempt, replayable from a shell. The
// webhook-timestamp and the JWT's exp are those of the attempt, so a merchant
// verifier with a freshness window refuses a replay made much later; that is
// the verifier working, not the command being wrong.

/** POSIX single-quoting: the only character that needs care inside '' is ' itself. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(url: string, headers: Readonly<Record<string, string>>, body: string): string {
  const lines = [`curl -sS -i -X POST ${shellQuote(url)}`];
  for (const [k, v] of Object.entries(headers)) {
    // curl computes the length itself; sending ours too would be a duplicate header.
    if (k.toLowerCase() === 'content-length') continue;
    lines.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  }
  lines.push(`  --data-binary ${shellQuote(body)}`);
  return lines.join(' \\\n');
}
