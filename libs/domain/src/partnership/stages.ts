/** The lifecycle, in order. A partnership only moves forward along it. */
export const STAGES = ['proposed', 'introduced', 'agreement_signed', 'project_active', 'mou_signed'] as const;
export type LifecycleStage = (typeof STAGES)[number];

/** Side states: suspended (resumable to the stage it left) and withdrawn (terminal). */
export const SIDE_STATES = ['on_hold', 'withdrawn'] as const;
export type SideState = (typeof SIDE_STATES)[number];

/** Every value a partnership's `stage` can take. */
export const PARTNERSHIP_STAGES = [...STAGES, ...SIDE_STATES] as const;
export type PartnershipStage = LifecycleStage | SideState;

export const isLifecycleStage = (stage: string): stage is LifecycleStage =>
  (STAGES as readonly string[]).includes(stage);

/** True when `stage` is `target` or later in the lifecycle. */
export const hasReached = (stage: LifecycleStage, target: LifecycleStage): boolean =>
  STAGES.indexOf(stage) >= STAGES.indexOf(target);

/** The later of two stages: events move a partnership forward, never back. */
export const atLeast = (stage: LifecycleStage, target: LifecycleStage): LifecycleStage =>
  hasReached(stage, target) ? stage : target;

export const MEETING_OUTCOMES = ['interested', 'follow_up', 'not_interested'] as const;
export type MeetingOutcome = (typeof MEETING_OUTCOMES)[number];
