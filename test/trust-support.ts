import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { SqlClient } from '@passerelle/database';
import { PUBLIC_KEY, Role, ROLES_KEY } from '../apps/api/src/auth/roles';
import { SQL_CLIENT } from '@passerelle/application';
import { TestApp } from './support/test-app';

/** The database under the app, to look at (and tamper with) what is really stored. */
export const sqlOf = (ctx: TestApp): SqlClient => ctx.app.get<SqlClient>(SQL_CLIENT);

/** Every event's data and metadata as stored, as one text. */
export async function storedText(ctx: TestApp): Promise<string> {
  const rows = await sqlOf(ctx).query<{ doc: string }>(
    'SELECT data::text || metadata::text AS doc FROM events ORDER BY global_position',
  );
  return rows.map((row) => row.doc).join('\n');
}

/**
 * Events appended on behalf of the test users. The app appends events of its own too (a delivered
 * notification is recorded in the log), so the head position alone says little.
 */
export async function eventsByTestUsers(ctx: TestApp): Promise<number> {
  const [row] = await sqlOf(ctx).query<{ count: string | number }>(
    `SELECT count(*) AS count FROM events WHERE metadata -> 'actor' ->> 'sub' LIKE 'test-%'`,
  );
  return Number(row!.count);
}

export interface PeopleDeal {
  id: string;
  us: Awaited<ReturnType<TestApp['newOrganization']>>;
  fr: Awaited<ReturnType<TestApp['newOrganization']>>;
  meetingId: string;
  agreementId: string;
  /** The French contact, who attends, and the Californian one; the signers of the agreement. */
  bruno: { name: string; email: string };
  alice: { name: string; email: string };
  ines: { name: string; email: string };
  signers: { us: string; fr: string };
}

/**
 * A partnership whose events name people: two organisations with contacts, a meeting (already held,
 * so no invitation goes out) with its attendance, an agreement signed by a named signer for each side.
 */
export async function dealWithPeople(ctx: TestApp, tag: string): Promise<PeopleDeal> {
  const bruno = { name: `Bruno Martin ${tag}`, email: `bruno.${tag}@polemer.example.fr` };
  const ines = { name: `Inès Roux ${tag}`, email: `ines.${tag}@polemer.example.fr` };
  const alice = { name: `Alice Walker ${tag}`, email: `alice.${tag}@ihub.example.org` };
  const officer = ctx.as('officer');
  const us = await ctx.newOrganization({ country: 'US', contacts: [{ ...alice, language: 'en' }] });
  const fr = await ctx.newOrganization({
    country: 'FR',
    contacts: [
      { ...bruno, language: 'fr', role: 'Director' },
      { ...ines, language: 'fr' },
    ],
  });
  const proposed = await officer
    .post('/api/partnerships', {
      title: `Ocean data ${tag}`,
      parties: [us.id, fr.id],
      sectors: ['blue_economy'],
      axes: ['technology_transfer'],
      on: '2020-02-03',
    })
    .expect(201);
  const id = proposed.body.id as string;
  const meeting = await officer
    .post(`/api/partnerships/${id}/meetings`, {
      startsAt: '2020-03-02T17:00:00Z',
      attendees: [alice.email, bruno.email],
    })
    .expect(201);
  const meetingId = meeting.body.meetingId as string;
  await officer
    .post(`/api/partnerships/${id}/meetings/${meetingId}/outcome`, {
      heldAt: '2020-03-02T17:00:00Z',
      outcome: 'interested',
      attendeesPresent: [bruno.email],
    })
    .expect(200);
  const agreement = await officer
    .post(`/api/partnerships/${id}/agreements`, {
      title: 'Cluster agreement',
      termMonths: 24,
      signatories: [us.id, fr.id],
    })
    .expect(201);
  const agreementId = agreement.body.agreementId as string;
  const signers = { us: `Walker Alice ${tag}`, fr: `Claire Durand ${tag}` };
  for (const [org, signerName] of [
    [us, signers.us],
    [fr, signers.fr],
  ] as const) {
    await officer
      .post(`/api/partnerships/${id}/agreements/${agreementId}/signatures`, {
        organizationId: org.id,
        signerName,
      })
      .expect(200);
  }
  return { id, us, fr, meetingId, agreementId, bruno, alice, ines, signers };
}

export interface DiscoveredRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As served, e.g. `/api/partnerships/:id/meetings`. */
  path: string;
  controller: string;
  handler: string;
  public: boolean;
  /** Roles besides admin that may call it (admin may call every route). */
  roles: Role[];
}

/** Served without the `api` prefix (see bootstrap.ts). */
const UNPREFIXED = new Set(['GET /health', 'GET /health/ready', 'GET /metrics']);

/** Every route of the running app, from Nest's own registry of controllers, with the roles that guard it. */
export function discoverRoutes(ctx: TestApp): DiscoveredRoute[] {
  const routes = new Map<string, DiscoveredRoute>();
  for (const module of ctx.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, type) as string | string[]].flat();
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        // As the guard reads it: the handler's metadata, else the controller's.
        const pick = <T>(key: string): T | undefined =>
          (Reflect.getMetadata(key, handler) as T | undefined) ??
          (Reflect.getMetadata(key, type) as T | undefined);
        for (const base of bases) {
          for (const own of [paths].flat()) {
            const bare = `/${[base, own].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/\/$/, '');
            const path = UNPREFIXED.has(`${method} ${bare}`) ? bare : `/api${bare}`;
            const route: DiscoveredRoute = {
              method: method as DiscoveredRoute['method'],
              path,
              controller: type.name,
              handler: name,
              public: pick<boolean>(PUBLIC_KEY) ?? false,
              roles: pick<Role[]>(ROLES_KEY) ?? [],
            };
            routes.set(`${route.method} ${route.path}`, route);
          }
        }
      }
    }
  }
  return [...routes.values()].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}
