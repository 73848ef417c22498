#!/usr/bin/env node
// Mints a local HS256 token for the service: node scripts/mint-token.js [--sub alice] [--scope "read write"] [--hours 24]
// Reads the secret from AUTH_JWT_SECRET. For local use and tests; production tokens come from your identity provider.
const { SignJWT } = require('jose');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const secret = process.env.AUTH_JWT_SECRET;
if (!secret || secret.length < 32) {
  process.stderr.write('AUTH_JWT_SECRET must be set (at least 32 characters)\n');
  process.exit(2);
}
new SignJWT({ scope: opt('scope', 'read write') })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setSubject(opt('sub', 'urn:li:corpuser:datahub'))
  .setIssuedAt()
  .setExpirationTime(`${Number(opt('hours', '24'))}h`)
  .sign(new TextEncoder().encode(secret))
  .then((token) => process.stdout.write(`${token}\n`));
