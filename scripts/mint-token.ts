/**
 * Mints a development bearer token signed with JWT_SECRET (or the development secret).
 *   npm run token -- --role officer [--sub alice] [--name "Alice Martin"] [--org <uuid>] [--expires 12h]
 * With --org the token acts for that organisation: commands only on its partnerships, signatures only for it.
 */
import { loadConfig } from '@passerelle/config';
import { parseArgs } from 'node:util';
import { Role, ROLES } from '@passerelle/application/actor';
import { mintToken } from '@passerelle/application/mint-token';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['officer'] },
      sub: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const roles = values.role as string[];
  const unknown = roles.filter((r) => !ROLES.includes(r as Role));
  if (unknown.length) {
    console.error(`Unknown role(s): ${unknown.join(', ')}; choose from ${ROLES.join(', ')}`);
    process.exit(2);
  }
  if (values.org !== undefined && !UUID.test(values.org)) {
    console.error(`--org takes an organisation id (a UUID), not "${values.org}"`);
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.jwt.secret) {
    console.error('Tokens come from the identity provider (JWT_JWKS_URL is set); nothing to mint here.');
    process.exit(2);
  }
  const sub = values.sub ?? (values.org ? `dev-${roles[0]}-${values.org}` : `dev-${roles[0]}`);
  const token = await mintToken(
    config.jwt.secret,
    { sub, name: values.name ?? `Development ${roles.join('/')}`, roles: roles as Role[], org: values.org },
    { expiresIn: values.expires, issuer: config.jwt.issuer, audience: config.jwt.audience },
  );
  console.log(token);
}

void main();
