import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import {
  AXES,
  LANGUAGES,
  MEETING_OUTCOMES,
  ORGANIZATION_KINDS,
  PARTNERSHIP_STAGES,
  SECTORS,
  STAGES,
} from '@passerelle/domain';
import { ROLES } from '../auth/roles';

/**
 * The shapes the API answers with, named in `components.schemas` and referenced by the routes (`ApiRead`,
 * `ApiCommand`). They follow the read models' and the domain's types (libs/read-models/src/queries,
 * libs/domain/src/*\/state.ts); the dashboard's types are generated from them (`npm run openapi`).
 */

type Schema = SchemaObject | ReferenceObject;

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const text = (description?: string): SchemaObject => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const day: SchemaObject = { type: 'string', format: 'date', description: 'A business date, `YYYY-MM-DD`' };
const integer = (description?: string): SchemaObject => ({
  type: 'integer',
  ...(description ? { description } : {}),
});
const position = integer('A global position in the log');
const oneOf = (values: readonly string[]): SchemaObject => ({ type: 'string', enum: [...values] });
const list = (items: Schema): SchemaObject => ({ type: 'array', items });
const orNull = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const counts = (values: Schema): SchemaObject => ({ type: 'object', additionalProperties: values });

/** An object whose properties are all required, unless named in `optional`. */
const object = (properties: Record<string, Schema>, optional: string[] = []): SchemaObject => ({
  type: 'object',
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
});

const page = (item: string): SchemaObject =>
  object({
    items: list(ref(item)),
    total: integer('Every match, not only this page'),
    limit: integer(),
    offset: integer(),
    nextCursor: orNull(text('Opaque: pass as `cursor` for the next page; null on the last page')),
  });

const organizationName = {
  id: uuid,
  name: text(),
  kind: oneOf(ORGANIZATION_KINDS),
  country: text('ISO 3166-1 alpha-2'),
};

const signature = object({ organizationId: uuid, signerName: text(), signedAt: time, signedOn: day });

const signedDocument = {
  title: text(),
  scope: orNull(text()),
  signatories: list(uuid),
  signatures: list(ref('Signature')),
  draftedAt: time,
  draftedOn: day,
  executedOn: orNull(day),
};

const partnership = {
  id: uuid,
  title: text(),
  description: orNull(text()),
  stage: ref('Stage'),
  stageBeforeHold: orNull(oneOf(STAGES)),
  status: oneOf(['active', 'on_hold', 'withdrawn']),
  lifecycleStage: ref('LifecycleStage'),
  parties: list(uuid),
  sectors: list(ref('Sector')),
  axes: list(ref('Axis')),
  meetings: list(ref('Meeting')),
  agreements: list(ref('Agreement')),
  projects: list(ref('JointProject')),
  mous: list(ref('Mou')),
  suspensionReason: orNull(text()),
  withdrawalReason: orNull(text()),
  createdAt: time,
  updatedAt: time,
  proposedOn: day,
  lastStepOn: day,
  revision: integer('The stream revision (also the `ETag`)'),
  position: integer('The global position of its last event'),
};

export const READ_SCHEMAS: Record<string, SchemaObject> = {
  CommandResult: object({
    id: { ...uuid, description: 'The stream the command wrote to' },
    revision: integer("The stream's revision after the command"),
    position: integer('The global position of its last event (for `?minPosition=`)'),
  }),
  Role: oneOf(ROLES),
  Sector: oneOf(SECTORS),
  Axis: oneOf(AXES),
  Language: oneOf(LANGUAGES),
  LifecycleStage: oneOf(STAGES),
  Stage: oneOf(PARTNERSHIP_STAGES),
  OrganizationName: object(organizationName),
  Contact: object({ name: text(), email: text(), role: orNull(text()), language: ref('Language') }),
  Organization: object({
    status: oneOf(['registered']),
    ...organizationName,
    region: text(),
    sectors: list(ref('Sector')),
    website: orNull(text()),
    contacts: list(ref('Contact')),
    registeredAt: time,
    revision: integer(),
  }),
  OrganizationSummary: object({
    ...organizationName,
    region: text(),
    sectors: list(ref('Sector')),
    website: orNull(text()),
    registeredAt: time,
    partnerships: integer('Partnerships the organisation is a party to'),
    revision: integer(),
  }),
  OrganizationPage: page('OrganizationSummary'),
  Attendee: object({
    email: text(),
    name: orNull(text()),
    language: orNull(oneOf(LANGUAGES)),
    organizationId: orNull({
      ...uuid,
      description: 'The party the contact belongs to; null for an observer',
    }),
  }),
  Meeting: object({
    meetingId: uuid,
    status: oneOf(['scheduled', 'held', 'cancelled']),
    startsAt: time,
    endsAt: time,
    timezone: text('An IANA time zone'),
    location: orNull(text()),
    videoUrl: orNull(text()),
    agenda: orNull(text()),
    attendees: list(ref('Attendee')),
    sequence: integer('The invitation sequence (iCalendar SEQUENCE)'),
    invitations: { type: 'boolean' },
    scheduledAt: time,
    heldAt: orNull(time),
    heldOn: orNull(day),
    outcome: orNull(oneOf(MEETING_OUTCOMES)),
    minutes: orNull(text()),
    attendeesPresent: orNull(list(ref('Attendee'))),
    cancelledAt: orNull(time),
    cancellationReason: orNull(text()),
  }),
  Signature: signature,
  Agreement: object({
    agreementId: uuid,
    status: oneOf(['draft', 'executed', 'expired']),
    ...signedDocument,
    termMonths: integer(),
    amendments: integer(),
    termsOn: day,
    expiresOn: orNull(day),
    expiredAt: orNull(time),
  }),
  Mou: object({ mouId: uuid, status: oneOf(['draft', 'executed']), ...signedDocument }),
  Milestone: object({ milestoneId: uuid, title: text(), dueOn: day, reachedOn: orNull(day) }),
  JointProject: object({
    projectId: uuid,
    status: oneOf(['running', 'completed']),
    title: text(),
    description: orNull(text()),
    startsOn: day,
    budget: object({ amount: { type: 'number' }, currency: text('ISO 4217') }),
    fundingSources: list(text()),
    leads: list(uuid),
    milestones: list(ref('Milestone')),
    agreementIds: list(uuid),
    launchedAt: time,
    launchedOn: day,
    completedOn: orNull(day),
    summary: orNull(text()),
  }),
  Partnership: object({
    ...partnership,
    stageReachedOn: {
      type: 'object',
      description: 'The business date each lifecycle stage was reached; null when not yet',
      required: [...STAGES],
      properties: Object.fromEntries(STAGES.map((stage) => [stage, orNull(day)])),
    },
    partyDetails: list(ref('OrganizationName')),
  }),
  PartnershipState: object({
    ...partnership,
    asOf: { ...time, description: 'When the last folded event was recorded' },
  }),
  PartnershipSummary: object({
    id: uuid,
    title: text(),
    stage: ref('Stage'),
    status: oneOf(['active', 'on_hold', 'withdrawn']),
    lifecycleStage: ref('LifecycleStage'),
    parties: list(ref('OrganizationName')),
    sectors: list(ref('Sector')),
    axes: list(ref('Axis')),
    counts: object({
      meetings: integer(),
      agreements: integer(),
      projects: integer(),
      mous: integer(),
    }),
    revision: integer(),
    createdAt: time,
    updatedAt: time,
  }),
  PartnershipPage: page('PartnershipSummary'),
  HistoryEvent: object(
    {
      id: uuid,
      type: text(),
      version: integer('The schema version of `data` as served (after upcasting)'),
      storedVersion: integer('The schema version as stored'),
      data: { type: 'object', additionalProperties: true },
      metadata: ref('EventMetadata'),
      revision: integer(),
      position,
      recordedAt: time,
      hash: text('SHA-256 of the event chained to the previous one'),
    },
    ['hash'],
  ),
  Actor: object(
    {
      sub: text('The token subject'),
      name: text(),
      roles: list(text()),
      org: { ...uuid, description: 'The organisation an officer acts for' },
    },
    ['name', 'org'],
  ),
  EventMetadata: {
    ...object(
      {
        actor: ref('Actor'),
        correlationId: text(),
        causationId: text(),
        idempotencyKey: text(),
        commandId: text('The command that produced the event; event ids derive from it'),
      },
      ['actor', 'correlationId', 'causationId', 'idempotencyKey', 'commandId'],
    ),
    additionalProperties: true,
  },
  History: object({ id: uuid, revision: integer(), events: list(ref('HistoryEvent')) }),
  Pipeline: object({
    total: integer(),
    period: object({ from: orNull(day), to: orNull(day) }),
    stages: counts(integer()),
    reached: counts(integer()),
    conversion: counts(orNull({ type: 'number' })),
    medianDaysBetweenStages: counts(orNull({ type: 'number' })),
  }),
  MatrixOrganization: object({ ...organizationName, partnerships: integer() }),
  MatrixCell: object({
    californiaId: uuid,
    franceId: uuid,
    partnerships: integer(),
    active: integer('Not withdrawn'),
    bySector: counts(integer()),
  }),
  Matrix: object({
    california: list(ref('MatrixOrganization')),
    france: list(ref('MatrixOrganization')),
    cells: list(ref('MatrixCell')),
  }),
  ActivityItem: object({
    position,
    type: text(),
    partnershipId: orNull(uuid),
    organizationId: orNull(uuid),
    occurredAt: time,
    recordedAt: time,
    actor: orNull(text()),
    text: text('The event in plain words'),
  }),
  ActivityPage: object({
    items: list(ref('ActivityItem')),
    nextBefore: orNull(integer('Pass as `before` for older items; null when there are none')),
  }),
  Upcoming: object({
    now: time,
    meetings: list(
      object({
        partnershipId: uuid,
        partnershipTitle: text(),
        meetingId: uuid,
        startsAt: time,
        endsAt: orNull(time),
        agenda: orNull(text()),
        timezone: orNull(text()),
        location: orNull(text()),
        videoUrl: orNull(text()),
      }),
    ),
    pendingSignatures: list(
      object({
        partnershipId: uuid,
        partnershipTitle: text(),
        document: oneOf(['agreement', 'mou']),
        documentId: uuid,
        title: orNull(text()),
        organizationId: uuid,
        organizationName: text(),
        pendingSince: time,
      }),
    ),
    expiringAgreements: list(
      object({
        partnershipId: uuid,
        partnershipTitle: text(),
        agreementId: uuid,
        title: orNull(text()),
        expiresOn: day,
        daysLeft: integer(),
      }),
    ),
  }),
  DevSignInOptions: object({
    roles: list(ref('Role')),
    organizations: list(object({ id: uuid, name: text(), country: text() })),
  }),
  DevToken: object({ token: text('A JWT'), role: ref('Role'), organizationId: orNull(uuid) }),
};
