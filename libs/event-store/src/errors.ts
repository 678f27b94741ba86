export class WrongExpectedRevisionError extends Error {
  readonly code = 'concurrency_conflict';
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number | null,
  ) {
    super(`Stream ${streamId}: expected revision ${expected}, actual ${actual ?? 'no stream'}`);
  }
}

export class DuplicateEventIdError extends Error {
  readonly code = 'duplicate_event';
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is already in the log as part of another append`);
  }
}
