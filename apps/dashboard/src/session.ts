import type { Role } from './types';
import { ROLES } from './types';

export interface Session {
  token: string;
  subject: string;
  name: string;
  roles: Role[];
  /** The organisation the token acts for (`org`); null for program staff. */
  org: string | null;
  expiresAt: number | null;
}

const KEY = 'passerelle.session';

function base64UrlDecode(part: string): string {
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads the claims of a JWT to know whom the page speaks to; the API still verifies every request. */
export function sessionFromToken(raw: string): Session | null {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1]!)) as {
      sub?: string;
      name?: string;
      roles?: unknown;
      org?: unknown;
      exp?: number;
    };
    const roles = (Array.isArray(claims.roles) ? claims.roles : []).filter((r): r is Role =>
      (ROLES as readonly string[]).includes(r as string),
    );
    return {
      token,
      subject: claims.sub ?? '',
      name: claims.name ?? claims.sub ?? '',
      roles,
      org: typeof claims.org === 'string' ? claims.org : null,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
    };
  } catch {
    return null;
  }
}

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const session = sessionFromToken(raw);
  if (!session || (session.expiresAt !== null && session.expiresAt < Date.now())) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return session;
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
}

const has = (session: Session | null, ...roles: Role[]) =>
  !!session && session.roles.some((role) => role === 'admin' || roles.includes(role));

/** The organisation the session acts for, or null when it acts for everyone (admin, program staff). */
export const actingFor = (session: Session | null): string | null =>
  !session || session.roles.includes('admin') ? null : session.org;

/** What the role may do, as the API decides it: the page offers nothing else. */
export const can = {
  command: (session: Session | null) => has(session, 'officer'),
  /** Commands on a partnership: an officer acting for an organisation, only where it is a party. */
  commandOn: (session: Session | null, parties: string[]) => {
    const org = actingFor(session);
    return has(session, 'officer') && (org === null || parties.includes(org));
  },
  /** A signature is recorded only for the organisation the session acts for, if it acts for one. */
  signFor: (session: Session | null, organizationId: string) => {
    const org = actingFor(session);
    return has(session, 'officer') && (org === null || org === organizationId);
  },
  readHistory: (session: Session | null) => has(session, 'officer', 'auditor'),
};

export const primaryRole = (session: Session): Role =>
  (['admin', 'officer', 'auditor', 'viewer'] as const).find((role) => session.roles.includes(role)) ??
  'viewer';
