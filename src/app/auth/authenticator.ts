/**
 * Who is calling the daemon over TCP. A bearer token is either a static API token or a JWT this daemon issued;
 * static tokens are tried first, as in Stromboli. Messages are Stromboli's, word for word, because its clients
 * match on them. Logged-out tokens are kept in SQLite, so a logout holds across restarts.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import { ErrorCode, PaddockError } from '../../errors/index.ts';
import type { Db } from '../../store/db.ts';
import { RevokedTokensRepo } from '../../store/revoked-tokens-repo.ts';
import { JwtCodec, type TokenClaims } from './jwt.ts';
import { StaticTokens } from './static-tokens.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lasts. */
  expiresIn: number;
}

const HINT = 'send Authorization: Bearer <token> (from the CLI: set PADDOCK_TOKEN) with one of PADDOCK_API_TOKENS, or an access token from POST /auth/token';
const unauthorized = (message: string) => new PaddockError(ErrorCode.Unauthorized, message, { hint: HINT });

/** The longest client_id accepted: it becomes the token's subject and the rate limiter's key. */
export const MAX_CLIENT_ID = 256;

export class Authenticator {
  /** TCP requests need a token (PADDOCK_AUTH_ENABLED). */
  readonly enabled: boolean;
  private readonly tokens: StaticTokens;
  private readonly jwt: JwtCodec | undefined;
  private readonly revoked: RevokedTokensRepo;
  private readonly config: Config;
  private readonly now: () => number;

  constructor(deps: { config: Config; db: Db }, now: () => number = Date.now) {
    this.config = deps.config;
    this.enabled = deps.config.authEnabled;
    this.tokens = new StaticTokens(deps.config.apiTokens);
    this.jwt = deps.config.jwtSecret ? new JwtCodec(deps.config.jwtSecret, now) : undefined;
    this.revoked = new RevokedTokensRepo(deps.db);
    this.now = now;
  }

  /** JWTs can be issued and checked (PADDOCK_JWT_SECRET is set). */
  get jwtConfigured(): boolean {
    return this.jwt !== undefined;
  }

  /** Some client could authenticate at all: the daemon may then listen beyond loopback. */
  get canAuthenticate(): boolean {
    return this.enabled && (this.tokens.size > 0 || this.jwt !== undefined);
  }

  /** The principal of an Authorization header (a static token or a live JWT access token), or UNAUTHORIZED. */
  async authenticate(header: string | undefined): Promise<string> {
    const token = bearer(header);
    const fromStatic = this.tokens.match(token);
    if (fromStatic) return fromStatic;
    const claims = await this.jwt?.verify(token, 'access');
    if (!claims) throw unauthorized('invalid or expired token');
    if (this.isRevoked(claims)) throw unauthorized('token revoked');
    return `jwt:${claims.sub}`;
  }

  /** The principal when the header authenticates, else undefined; never throws (the rate limiter keys on it). */
  async identify(header: string | undefined): Promise<string | undefined> {
    if (!this.enabled || header === undefined) return undefined;
    return this.authenticate(header).catch(() => undefined);
  }

  /** A new access and refresh token for a client (POST /auth/token); the caller has authenticated already. */
  async issue(clientId: string): Promise<TokenPair> {
    return this.pair(clientId, randomUUID());
  }

  /** A new pair for a live refresh token of a family not logged out (POST /auth/refresh). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = await this.codec().verify(refreshToken.trim(), 'refresh');
    if (!claims || this.isRevoked(claims)) throw unauthorized('invalid or expired refresh token');
    return this.pair(claims.sub, claims.fam || randomUUID());
  }

  /** The subject and expiry of a live JWT access token (GET /auth/validate); static tokens are not JWTs. */
  async validate(header: string | undefined): Promise<{ subject: string; expiresAt: number }> {
    const claims = await this.accessClaims(header);
    return { subject: claims.sub, expiresAt: claims.exp };
  }

  /** Revokes a JWT access token and every token of its family, refresh tokens included (POST /auth/logout). */
  async logout(header: string | undefined): Promise<void> {
    const claims = await this.accessClaims(header);
    if (!claims.jti) throw new PaddockError(ErrorCode.InvalidInput, 'token does not have a JTI claim', { hint: 'log out with an access token from POST /auth/token' });
    const now = this.now();
    // Every token of the family expires by now + the refresh lifetime: no later one can be issued once it is revoked.
    const until = Math.max(claims.exp * 1000, now + this.config.jwtRefreshExpiry);
    this.revoked.revoke(claims.fam ? [claims.jti, `fam:${claims.fam}`] : [claims.jti], until, now);
  }

  private async accessClaims(header: string | undefined): Promise<TokenClaims> {
    const token = bearer(header);
    const claims = await this.codec().verify(token, 'access');
    if (!claims) throw unauthorized('invalid or expired token');
    if (this.isRevoked(claims)) throw unauthorized('token revoked');
    return claims;
  }

  private async pair(sub: string, fam: string): Promise<TokenPair> {
    const jwt = this.codec();
    const access = await jwt.sign(sub, fam, 'access', this.config.jwtExpiry);
    const refresh = await jwt.sign(sub, fam, 'refresh', this.config.jwtRefreshExpiry);
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.claims.exp - access.claims.iat };
  }

  private isRevoked(c: TokenClaims): boolean {
    return this.revoked.anyRevoked([c.jti, c.fam ? `fam:${c.fam}` : '']);
  }

  private codec(): JwtCodec {
    if (!this.jwt) throw new PaddockError(ErrorCode.InvalidConfig, 'JWT authentication not configured', { hint: 'set PADDOCK_JWT_SECRET (at least 32 characters) and restart the daemon' });
    return this.jwt;
  }
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), or UNAUTHORIZED. */
export function bearer(header: string | undefined): string {
  if (header === undefined || header === '') throw unauthorized('missing authorization header');
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  const token = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme.toLowerCase() !== 'bearer' || token === '') throw unauthorized('invalid authorization header format');
  return token;
}
