import type { Type } from '@nestjs/common';
import type { PartnershipCommand as DomainCommand } from '@passerelle/domain';
import { deterministicUuid } from '@passerelle/application';
import { RegisterOrganizationDto } from '../organizations/organization.dto';
import {
  AmendAgreementDto,
  CompleteProjectDto,
  DraftAgreementDto,
  DraftMouDto,
  LaunchProjectDto,
  ProposePartnershipDto,
  ReachMilestoneDto,
  ReasonDto,
  RecordMeetingOutcomeDto,
  RescheduleMeetingDto,
  ScheduleMeetingDto,
  SignDto,
} from '../partnerships/partnership.dto';

/** What an import line can name by key instead of by id. */
export type EntityKind =
  'organization' | 'partnership' | 'meeting' | 'agreement' | 'project' | 'milestone' | 'mou';

/** The path parameters of the HTTP route a command goes to. */
export type Target = 'organization' | 'partnership' | 'meeting' | 'agreement' | 'project' | 'mou';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id, or a key that stands for one: the same key always names the same thing (UUID v5 in the
 * project's namespace), so files can say `"pole-mer"` where the API takes a UUID, and a re-run finds it.
 */
export const importIdFor = (kind: EntityKind, keyOrId: string): string =>
  UUID.test(keyOrId) ? keyOrId : deterministicUuid('import', kind, keyOrId);

type PartnershipType = DomainCommand['type'];

interface CommandKind {
  /** The body's DTO, exactly as the HTTP route validates it; `null`: the route takes `{}`. */
  dto: Type<object> | null;
  /** Path parameters the command needs besides the partnership. */
  targets: Target[];
  /** Body fields that hold ids (or keys), and what they name. */
  ids: Record<string, EntityKind>;
  type: PartnershipType | 'RegisterOrganization';
  /** The command's data from the validated body and the targets, as the controller builds it. */
  data(body: Record<string, unknown>, targets: Record<string, string>): Record<string, unknown>;
}

const withoutId = ({ id: _id, ...rest }: Record<string, unknown>) => rest;

/**
 * Every command an import line can carry, named after its HTTP route (`POST /partnerships/:id/meetings`
 * is `schedule-meeting`). The body is the route's body; its data is built as the controller builds it.
 */
export const IMPORT_COMMANDS = {
  'register-organization': {
    dto: RegisterOrganizationDto,
    targets: [],
    ids: { id: 'organization' },
    type: 'RegisterOrganization',
    data: (body) => withoutId(body),
  },
  propose: {
    dto: ProposePartnershipDto,
    targets: [],
    ids: { id: 'partnership', parties: 'organization' },
    type: 'ProposePartnership',
    data: (body) => withoutId(body),
  },
  'schedule-meeting': {
    dto: ScheduleMeetingDto,
    targets: [],
    ids: { meetingId: 'meeting' },
    type: 'ScheduleIntroductionMeeting',
    data: (body) => body,
  },
  'reschedule-meeting': {
    dto: RescheduleMeetingDto,
    targets: ['meeting'],
    ids: {},
    type: 'RescheduleIntroductionMeeting',
    data: (body, t) => ({ ...body, meetingId: t.meeting }),
  },
  'cancel-meeting': {
    dto: ReasonDto,
    targets: ['meeting'],
    ids: {},
    type: 'CancelIntroductionMeeting',
    data: (body, t) => ({ ...body, meetingId: t.meeting }),
  },
  'record-outcome': {
    dto: RecordMeetingOutcomeDto,
    targets: ['meeting'],
    ids: {},
    type: 'RecordIntroductionMeetingOutcome',
    data: (body, t) => ({ ...body, meetingId: t.meeting }),
  },
  'draft-agreement': {
    dto: DraftAgreementDto,
    targets: [],
    ids: { agreementId: 'agreement', signatories: 'organization' },
    type: 'DraftAgreement',
    data: (body) => body,
  },
  'amend-agreement': {
    dto: AmendAgreementDto,
    targets: ['agreement'],
    ids: { signatories: 'organization' },
    type: 'AmendAgreement',
    data: (body, t) => ({ ...body, agreementId: t.agreement }),
  },
  'sign-agreement': {
    dto: SignDto,
    targets: ['agreement'],
    ids: { organizationId: 'organization' },
    type: 'SignAgreement',
    data: (body, t) => ({ ...body, agreementId: t.agreement }),
  },
  'launch-project': {
    dto: LaunchProjectDto,
    targets: [],
    ids: { projectId: 'project', leads: 'organization', milestoneId: 'milestone' },
    type: 'LaunchJointProject',
    data: (body) => body,
  },
  'reach-milestone': {
    dto: ReachMilestoneDto,
    targets: ['project'],
    ids: { milestoneId: 'milestone' },
    type: 'ReachJointProjectMilestone',
    data: (body, t) => ({ ...body, projectId: t.project }),
  },
  'complete-project': {
    dto: CompleteProjectDto,
    targets: ['project'],
    ids: {},
    type: 'CompleteJointProject',
    data: (body, t) => ({ ...body, projectId: t.project }),
  },
  'draft-mou': {
    dto: DraftMouDto,
    targets: [],
    ids: { mouId: 'mou', signatories: 'organization' },
    type: 'DraftMou',
    data: (body) => body,
  },
  'sign-mou': {
    dto: SignDto,
    targets: ['mou'],
    ids: { organizationId: 'organization' },
    type: 'SignMou',
    data: (body, t) => ({ ...body, mouId: t.mou }),
  },
  suspend: {
    dto: ReasonDto,
    targets: [],
    ids: {},
    type: 'SuspendPartnership',
    data: (body) => body,
  },
  resume: { dto: null, targets: [], ids: {}, type: 'ResumePartnership', data: (body) => body },
  withdraw: {
    dto: ReasonDto,
    targets: [],
    ids: {},
    type: 'WithdrawPartnership',
    data: (body) => body,
  },
} satisfies Record<string, CommandKind>;

export type ImportCommandName = keyof typeof IMPORT_COMMANDS;

export const isImportCommand = (name: unknown): name is ImportCommandName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(IMPORT_COMMANDS, name);

export const commandKind = (name: ImportCommandName): CommandKind => IMPORT_COMMANDS[name];

/** Replaces keys by ids in the fields that hold ids, at any depth (milestones hold `milestoneId`). */
export function resolveKeys(value: unknown, ids: Record<string, EntityKind>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveKeys(item, ids));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
    const kind = ids[field];
    if (kind && typeof inner === 'string') out[field] = importIdFor(kind, inner);
    else if (kind && Array.isArray(inner))
      out[field] = inner.map((item) => (typeof item === 'string' ? importIdFor(kind, item) : item));
    else out[field] = resolveKeys(inner, ids);
  }
  return out;
}

const TIME_FIELDS = new Set(['startsAt', 'endsAt', 'heldAt']);
const DATE_FIELDS = new Set(['signedAt', 'startsOn', 'dueOn', 'reachedOn', 'completedOn', 'on']);
const RELATIVE = /^(now|today)((?:[+-]\d{1,5}[dhm])*)$/;
const OFFSET = /([+-])(\d{1,5})([dhm])/g;
const MINUTE = 60_000;
const UNIT = { d: 24 * 60 * MINUTE, h: 60 * MINUTE, m: MINUTE } as const;

/**
 * Times relative to the run, for fixtures that must stay current (the demo's meeting "next week"):
 * `now`, `now-12d`, `now+9d+90m` in an instant field (from the hour now falls in), `today`, `today-30d` in
 * a date field. Anything else is left for validation to judge.
 */
export function resolveRelativeTimes(value: unknown, now: Date, field = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveRelativeTimes(item, now, field));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, resolveRelativeTimes(v, now, k)]),
    );
  }
  if (typeof value !== 'string') return value;
  const match = RELATIVE.exec(value);
  if (!match) return value;
  let at = Math.floor(now.getTime() / (60 * MINUTE)) * 60 * MINUTE;
  for (const [, sign, amount, unit] of match[2]!.matchAll(OFFSET)) {
    at += (sign === '-' ? -1 : 1) * Number(amount) * UNIT[unit as keyof typeof UNIT];
  }
  const iso = new Date(at).toISOString();
  if (TIME_FIELDS.has(field) && match[1] === 'now') return iso.replace('.000Z', 'Z');
  if (DATE_FIELDS.has(field) && match[1] === 'today') return iso.slice(0, 10);
  return value;
}
