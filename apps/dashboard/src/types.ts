/** The shapes the API answers, as the dashboard reads them. */

export const ROLES = ['admin', 'officer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const STAGES = ['proposed', 'introduced', 'agreement_signed', 'project_active', 'mou_signed'] as const;
export type LifecycleStage = (typeof STAGES)[number];
export const SIDE_STATES = ['on_hold', 'withdrawn'] as const;
export type Stage = LifecycleStage | (typeof SIDE_STATES)[number];

export const SECTORS = [
  'biotech_health',
  'blue_economy',
  'ict_digital',
  'aerospace',
  'mobility',
  'energy_cleantech',
  'agrifood',
  'chemicals_materials',
  'micro_nanotech',
  'secure_transactions',
  'digital_media_xr',
  'smart_territories',
] as const;
export const AXES = [
  'higher_education',
  'technology_transfer',
  'professional_development',
  'entrepreneurship_incubation',
  'business_development',
  'investment',
] as const;
export const OUTCOMES = ['interested', 'follow_up', 'not_interested'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; messages: string[] }[];
}

export interface CommandResult {
  id: string;
  revision: number;
  position: number;
}

export interface OrganizationName {
  id: string;
  name: string;
  kind: string;
  country: string;
}

export interface Contact {
  name: string;
  email: string;
  role?: string | null;
  language: 'en' | 'fr';
}

export interface Organization extends OrganizationName {
  region: string;
  sectors: string[];
  website?: string | null;
  contacts?: Contact[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit?: number;
  offset?: number;
  nextCursor?: string | null;
}

export interface PartnershipSummary {
  id: string;
  title: string;
  stage: Stage;
  status: 'active' | 'on_hold' | 'withdrawn';
  lifecycleStage: LifecycleStage;
  parties: OrganizationName[];
  sectors: string[];
  axes: string[];
  counts?: { meetings: number; agreements: number; projects: number; mous: number };
  revision: number;
  updatedAt: string;
}

export interface Attendee {
  email: string;
  name: string | null;
  language: 'en' | 'fr' | null;
  organizationId: string | null;
}

export interface Meeting {
  meetingId: string;
  status: 'scheduled' | 'held' | 'cancelled';
  startsAt: string;
  endsAt: string | null;
  timezone: string | null;
  location: string | null;
  videoUrl: string | null;
  agenda: string | null;
  attendees: Attendee[];
  scheduledAt: string;
  heldAt: string | null;
  outcome: Outcome | null;
  minutes: string | null;
  attendeesPresent: Attendee[] | null;
  cancelledAt: string | null;
  cancellationReason: string | null;
}

export interface Signature {
  organizationId: string;
  signerName: string;
  signedAt: string;
  signedOn: string;
}

export interface SignedDocument {
  status: 'draft' | 'executed' | 'expired';
  title: string;
  scope: string | null;
  signatories: string[];
  signatures: Signature[];
  draftedAt: string;
  executedOn: string | null;
}

export interface Agreement extends SignedDocument {
  agreementId: string;
  termMonths: number;
  amendments: number;
  expiresOn: string | null;
  expiredAt: string | null;
}

export interface Mou extends SignedDocument {
  mouId: string;
}

export interface Milestone {
  milestoneId: string;
  title: string;
  dueOn: string;
  reachedOn: string | null;
}

export interface JointProject {
  projectId: string;
  status: 'running' | 'completed';
  title: string;
  description: string | null;
  startsOn: string;
  budget: { amount: number; currency: string };
  fundingSources: string[];
  leads: string[];
  milestones: Milestone[];
  launchedAt: string;
  completedOn: string | null;
  summary: string | null;
}

export interface Partnership {
  id: string;
  title: string;
  description: string | null;
  stage: Stage;
  status: 'active' | 'on_hold' | 'withdrawn';
  lifecycleStage: LifecycleStage;
  stageBeforeHold?: LifecycleStage | null;
  parties: string[];
  partyDetails?: OrganizationName[];
  sectors: string[];
  axes: string[];
  meetings: Meeting[];
  agreements: Agreement[];
  projects: JointProject[];
  mous: Mou[];
  suspensionReason: string | null;
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
  position?: number;
  /** Only on `/state`: when the last folded event was recorded. */
  asOf?: string;
}

export interface HistoryEvent {
  id: string;
  type: string;
  version: number;
  storedVersion: number;
  data: Record<string, unknown>;
  metadata: {
    actor?: { sub?: string; name?: string; roles?: string[]; role?: string; org?: string | null };
    correlationId?: string;
    causationId?: string;
    commandId?: string;
    idempotencyKey?: string | null;
    [key: string]: unknown;
  };
  revision: number;
  position: number;
  recordedAt: string;
  hash?: string;
}

export interface History {
  id: string;
  revision: number;
  events: HistoryEvent[];
}

export interface Pipeline {
  total: number;
  stages: Record<string, number>;
  reached?: Record<string, number>;
  conversion?: Record<string, number | null>;
  medianDaysBetweenStages?: Record<string, number | null>;
}

export interface MatrixCell {
  californiaId: string;
  franceId: string;
  partnerships: number;
  active: number;
  bySector: Record<string, number>;
}

export interface Matrix {
  california: (OrganizationName & { partnerships: number })[];
  france: (OrganizationName & { partnerships: number })[];
  cells: MatrixCell[];
}

export interface ActivityItem {
  position: number;
  type: string;
  partnershipId: string | null;
  organizationId: string | null;
  occurredAt: string;
  recordedAt: string;
  actor: string | null;
  text: string;
}

export interface Upcoming {
  now: string;
  meetings: {
    partnershipId: string;
    partnershipTitle: string;
    meetingId: string;
    startsAt: string;
    endsAt: string | null;
    timezone: string | null;
    agenda: string | null;
    location: string | null;
  }[];
  pendingSignatures: {
    partnershipId: string;
    partnershipTitle: string;
    document: 'agreement' | 'mou';
    documentId: string;
    title: string | null;
    organizationId: string;
    organizationName: string;
    pendingSince: string;
  }[];
  expiringAgreements: {
    partnershipId: string;
    partnershipTitle: string;
    agreementId: string;
    title: string | null;
    expiresOn: string;
    daysLeft: number;
  }[];
}
