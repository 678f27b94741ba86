/** An event as stored: its type, the schema version it was written with, and its data. */
export type VersionedEvent = {
  type: string;
  version: number;
  data: Record<string, unknown>;
};

/** Turns the data of `type` at `fromVersion` into the data of `fromVersion + 1`. Pure. */
export type UpcastStep = {
  type: string;
  fromVersion: number;
  upcast: (data: Record<string, unknown>) => Record<string, unknown>;
};

/** A typed step: the compiler checks both shapes. */
export const upcastStep = <From, To extends object>(
  type: string,
  fromVersion: number,
  upcast: (data: From) => To,
): UpcastStep => ({
  type,
  fromVersion,
  upcast: (data) => upcast(data as From) as Record<string, unknown>,
});

export class UpcastError extends Error {
  override readonly name = 'UpcastError';
}

export type Upcaster = (event: VersionedEvent) => VersionedEvent;

/**
 * Builds an upcaster from the current version of each type and the steps between versions. The chain is
 * checked once, here: every type at version n > 1 has its steps 1→2, …, n−1→n, and none beyond.
 */
export const createUpcaster = (
  currentVersions: Record<string, number>,
  steps: readonly UpcastStep[],
): Upcaster => {
  const stepsByType = new Map<string, Map<number, UpcastStep>>();
  for (const step of steps) {
    const current = currentVersions[step.type];
    if (current === undefined) throw new UpcastError(`Upcast step for unknown event type ${step.type}`);
    if (!Number.isInteger(step.fromVersion) || step.fromVersion < 1 || step.fromVersion >= current) {
      throw new UpcastError(
        `${step.type}: a step from version ${step.fromVersion} leads past version ${current}`,
      );
    }
    const forType = stepsByType.get(step.type) ?? new Map<number, UpcastStep>();
    if (forType.has(step.fromVersion)) {
      throw new UpcastError(`${step.type}: two steps from version ${step.fromVersion}`);
    }
    stepsByType.set(step.type, forType.set(step.fromVersion, step));
  }
  for (const [type, current] of Object.entries(currentVersions)) {
    for (let version = 1; version < current; version++) {
      if (!stepsByType.get(type)?.has(version)) {
        throw new UpcastError(`${type}: no step from version ${version} to ${version + 1}`);
      }
    }
  }

  return ({ type, version, data }) => {
    const current = currentVersions[type];
    // Types this domain does not own, and versions newer than this code, are passed through untouched.
    if (current === undefined || version >= current) return { type, version, data };
    if (!Number.isInteger(version) || version < 1) {
      throw new UpcastError(`${type}: cannot upcast from version ${version}`);
    }
    let upcasted = data;
    for (let from = version; from < current; from++) {
      upcasted = (stepsByType.get(type)?.get(from) as UpcastStep).upcast(upcasted);
    }
    return { type, version: current, data: upcasted };
  };
};
