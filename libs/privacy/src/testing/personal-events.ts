import type { NewEvent } from '@passerelle/event-store';
import { randomUUID } from 'node:crypto';

/** Events holding personal data, as the domain writes them, for the specs of what stores and moves them. */
export const domainEvent = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  version: 1,
  data,
  metadata: { actor: { sub: 'officer-1', roles: ['officer'] }, correlationId: randomUUID() },
});

/** An organisation with these contacts (names and addresses are personal data). */
export const registered = (organizationId: string, contacts: { name: string; email: string }[]) =>
  domainEvent('OrganizationRegistered', {
    organizationId,
    name: 'Pôle Mer Méditerranée',
    kind: 'pole',
    country: 'FR',
    region: 'Provence-Alpes-Côte d’Azur',
    sectors: ['blue_economy'],
    website: null,
    contacts: contacts.map((contact) => ({ ...contact, role: 'Director', language: 'fr' })),
    occurredAt: '2025-03-10T09:00:00.000Z',
  });

/** A signature (the signer's name is personal data). */
export const signed = (signerName: string, partnershipId: string = randomUUID()) =>
  domainEvent('AgreementSigned', {
    partnershipId,
    agreementId: randomUUID(),
    organizationId: randomUUID(),
    signerName,
    signedAt: '2025-03-10T09:00:00.000Z',
    signedOn: '2025-03-10',
    pendingSignatories: [],
    occurredAt: '2025-03-10T09:00:00.000Z',
  });
