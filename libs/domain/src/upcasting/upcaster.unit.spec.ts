import { currentEventVersions, currentVersionOf } from '../event-versions';
import { partnershipDecider } from '../partnership/decider';
import { PARTNERSHIP_EVENT_VERSIONS, type PartnershipEvent } from '../partnership/events';
import type { Partnership } from '../partnership/state';
import { fold } from '../shared/decider';
import { IHUB, OCCURRED_AT, PARTNERSHIP_ID, POLE, proposed } from '../testing/fixtures';
import { createUpcaster, upcast, UpcastError, upcastStep } from './index';

const storedV1 = {
  type: 'PartnershipProposed',
  version: 1,
  data: {
    partnershipId: PARTNERSHIP_ID,
    title: 'Blue economy bridge',
    sector: 'blue_economy',
    organizations: [IHUB.id, POLE.id],
    axes: ['technology_transfer'],
    occurredAt: OCCURRED_AT,
  },
};

describe('upcast', () => {
  it('brings PartnershipProposed v1 (one sector, organisations) to v3 (sectors, parties, business date)', () => {
    expect(upcast(storedV1)).toStrictEqual({
      type: 'PartnershipProposed',
      version: 3,
      data: {
        partnershipId: PARTNERSHIP_ID,
        title: 'Blue economy bridge',
        description: null,
        parties: [IHUB.id, POLE.id],
        sectors: ['blue_economy'],
        axes: ['technology_transfer'],
        on: '2025-03-10',
        occurredAt: OCCURRED_AT,
      },
    });
  });

  it('leaves the stored event untouched', () => {
    const copy = JSON.parse(JSON.stringify(storedV1));
    upcast(storedV1);
    expect(storedV1).toStrictEqual(copy);
  });

  it('gives a v1 history the same state as a history written today', () => {
    const old = upcast(storedV1) as unknown as PartnershipEvent;
    const today = proposed();
    const current = {
      ...today,
      data: { ...today.data, parties: [IHUB.id, POLE.id], axes: ['technology_transfer'], on: '2025-03-10' },
    };
    expect(fold(partnershipDecider, [old])).toStrictEqual(
      fold(partnershipDecider, [current as PartnershipEvent]),
    );
    expect((fold(partnershipDecider, [old]) as Partnership).sectors).toEqual(['blue_economy']);
  });

  it('passes current versions, and types it does not own, through unchanged', () => {
    const v3 = { type: 'PartnershipProposed', version: 3, data: proposed().data };
    expect(upcast(v3)).toStrictEqual(v3);
    const foreign = { type: 'PersonalDataErased', version: 1, data: { subjectId: 's-1' } };
    expect(upcast(foreign)).toStrictEqual(foreign);
  });

  it('refuses a version below 1', () => {
    expect(() => upcast({ ...storedV1, version: 0 })).toThrow(UpcastError);
  });
});

describe('createUpcaster', () => {
  const renameTitle = upcastStep<{ name: string }, { title: string }>('Thing', 1, ({ name }) => ({
    title: name,
  }));
  const addTags = upcastStep<{ title: string }, { title: string; tags: string[] }>('Thing', 2, (data) => ({
    ...data,
    tags: [],
  }));

  it('applies the steps in version order, whatever order they were registered in', () => {
    const chain = createUpcaster({ Thing: 3 }, [addTags, renameTitle]);
    expect(chain({ type: 'Thing', version: 1, data: { name: 'x' } })).toStrictEqual({
      type: 'Thing',
      version: 3,
      data: { title: 'x', tags: [] },
    });
    expect(chain({ type: 'Thing', version: 2, data: { title: 'y' } })).toStrictEqual({
      type: 'Thing',
      version: 3,
      data: { title: 'y', tags: [] },
    });
  });

  it('refuses a chain with a missing, repeated or superfluous step', () => {
    expect(() => createUpcaster({ Thing: 3 }, [renameTitle])).toThrow('no step from version 2 to 3');
    expect(() => createUpcaster({ Thing: 2 }, [renameTitle, renameTitle])).toThrow(
      'two steps from version 1',
    );
    expect(() => createUpcaster({ Thing: 2 }, [renameTitle, addTags])).toThrow('leads past version 2');
    expect(() => createUpcaster({}, [renameTitle])).toThrow('unknown event type Thing');
  });
});

describe('current event versions', () => {
  it('stamps PartnershipProposed with version 3, other partnership events with 2, the rest with 1', () => {
    const versions = currentEventVersions();
    expect(versions.PartnershipProposed).toBe(3);
    const partnershipTypes = Object.keys(PARTNERSHIP_EVENT_VERSIONS);
    expect(
      Object.entries(versions)
        .filter(([type]) => type !== 'PartnershipProposed')
        .every(([type, v]) => v === (partnershipTypes.includes(type) ? 2 : 1)),
    ).toBe(true);
    expect(Object.keys(versions)).toHaveLength(22);
    expect(currentVersionOf('AgreementExecuted')).toBe(2);
    expect(currentVersionOf('OrganizationRegistered')).toBe(1);
  });

  it('refuses to stamp an unknown event type', () => {
    expect(() => currentVersionOf('SomethingHappened')).toThrow(
      'Unknown domain event type SomethingHappened',
    );
  });
});
