import { SignJWT } from 'jose';

/** An HS256 bearer token for a test service started with AUTH_JWT_SECRET=`secret`: `claims` (default scope read and write), subject, expiry (default 1 h). */
export function signToken(
  secret: string,
  claims: Record<string, unknown> = { scope: 'read write' },
  opts: { sub?: string; expires?: string | number } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(opts.sub ?? 'urn:li:corpuser:e2e')
    .setIssuedAt()
    .setExpirationTime(opts.expires ?? '1h')
    .sign(new TextEncoder().encode(secret));
}
