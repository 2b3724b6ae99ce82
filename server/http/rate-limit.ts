// A token bucket per key (the public API's callers, by Origin), in memory: a
// limit that resets with the server is enough to stop a page from flooding it,
// and checking it must cost no write. The clock is injected (tests move it).

export interface RateLimit {
  /** Tokens added per second: the sustained rate. */
  readonly perSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  readonly burst: number;
}

/** Buckets kept at most: Origin is the caller's to choose, so the map must not grow without bound. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit, private readonly now: () => number) {}

  /** Takes one token for `key`: 0 when the request may go on, else the whole seconds to wait before one is there. */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.evict(now);
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  private refill(bucket: Bucket, now: number): void {
    // A clock set back gives nothing; it never takes tokens away either.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (elapsed / 1000) * this.limit.perSecond);
    bucket.at = Math.max(bucket.at, now);
  }

  /**
   * Makes room for a tenth of the buckets, so the scan is paid once per that many
   * new keys: a full bucket is the same as none, so those go first, then the
   * oldest (a caller that forges a new Origin for every request gets a fresh
   * bucket anyway: the limit is for pages, which cannot).
   */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.limit.burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS * 0.9) break;
      this.buckets.delete(key);
    }
  }
}
