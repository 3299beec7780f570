/** Static API tokens (PADDOCK_API_TOKENS): compared in constant time, named in logs by a digest, never by value. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class StaticTokens {
  private readonly digests: Buffer[];
  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  /**
   * The principal a token stands for ("token:<12 hex of its sha256>"), or undefined. Digests have one length, so
   * timingSafeEqual never throws, and every entry is compared, so the time says nothing about which one matched.
   */
  match(token: string): string | undefined {
    const d = digest(token);
    let found: Buffer | undefined;
    for (const known of this.digests) if (timingSafeEqual(d, known)) found = known;
    return found ? `token:${found.toString('hex').slice(0, 12)}` : undefined;
  }
}
