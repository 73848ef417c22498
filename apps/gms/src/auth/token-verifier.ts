import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { Settings } from '@lib/config';

export type Scope = 'read' | 'write';

/** Who is calling and what they may do, from a verified token. */
export interface Principal {
  /** The actor recorded by the write audit (`createdby`): the token's `sub` as a corpuser URN. */
  actor: string;
  scopes: Set<string>;
}

export class InvalidToken extends Error {}

/**
 * Verifies bearer tokens: HS256 with the configured secret, or any algorithm the configured JWKS
 * publishes; expiry, and issuer/audience when configured, are enforced by jose.
 */
@Injectable()
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly settings: Settings) {
    const { jwtSecret, jwksUrl } = settings.auth;
    if (jwtSecret) this.secret = new TextEncoder().encode(jwtSecret);
    if (jwksUrl) this.jwks = createRemoteJWKSet(new URL(jwksUrl));
  }

  async verify(token: string): Promise<Principal> {
    const options = { issuer: this.settings.auth.issuer, audience: this.settings.auth.audience };
    let payload: JWTPayload | undefined;
    let lastError: unknown;
    if (this.secret) {
      try {
        payload = (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
      } catch (err) {
        lastError = err;
      }
    }
    if (!payload && this.jwks) {
      try {
        payload = (await jwtVerify(token, this.jwks, options)).payload;
      } catch (err) {
        lastError = err;
      }
    }
    if (!payload) throw new InvalidToken(describe(lastError));
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidToken('token has no subject (sub)');
    // The subject becomes `createdby` (255 characters) and appears in logs: keep it short and printable.
    if (payload.sub.length > 200 || /[\u0000-\u001f\u007f]/.test(payload.sub))
      throw new InvalidToken('token subject (sub) must be at most 200 printable characters');
    return { actor: payload.sub.startsWith('urn:li:') ? payload.sub : `urn:li:corpuser:${payload.sub}`, scopes: scopesOf(payload) };
  }
}

/** `scope` as a space-separated string (OAuth 2) or `scopes` as an array. */
function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scopes;
  const list = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw.map(String) : [];
  return new Set(list.filter(Boolean));
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim ${err.claim} is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (err instanceof errors.JOSEError) return `token is not valid (${err.code})`;
  return 'token is not valid';
}
