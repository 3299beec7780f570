/**
 * JWTs as Stromboli issues them: HS256 only, claims sub (the client id), iat, exp, jti (a UUID) and is_refresh on
 * refresh tokens. Paddock adds fam: every token one /auth/token call leads to (through refreshes) shares it, so a
 * logout ends the whole chain, refresh tokens included.
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export type TokenKind = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  jti: string;
  fam: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
  kind: TokenKind;
}

export class JwtCodec {
  private readonly key: Uint8Array;
  private readonly now: () => number;
  constructor(secret: string, now: () => number) {
    this.key = new TextEncoder().encode(secret);
    this.now = now;
  }

  async sign(sub: string, fam: string, kind: TokenKind, lifetimeMs: number): Promise<{ token: string; claims: TokenClaims }> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + Math.max(1, Math.floor(lifetimeMs / 1000));
    const jti = randomUUID();
    const token = await new SignJWT({ fam, ...(kind === 'refresh' ? { is_refresh: true } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.key);
    return { token, claims: { sub, jti, fam, iat, exp, kind } };
  }

  /** The claims of a valid, unexpired token of this kind; undefined for anything else (never throws). */
  async verify(token: string, kind: TokenKind): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.now()), requiredClaims: ['sub', 'exp'] });
      const isRefresh = payload.is_refresh === true;
      if (isRefresh !== (kind === 'refresh')) return undefined; // a refresh token is no access token, and the reverse
      if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') return undefined;
      return {
        sub: payload.sub,
        jti: typeof payload.jti === 'string' ? payload.jti : '',
        fam: typeof payload.fam === 'string' ? payload.fam : '',
        iat: typeof payload.iat === 'number' ? payload.iat : 0,
        exp: payload.exp,
        kind,
      };
    } catch {
      return undefined;
    }
  }
}
