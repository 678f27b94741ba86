import { randomUUID } from 'node:crypto';
import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import {
  checkActingFor,
  DomainError,
  ERASED,
  type Partnership,
  type PartnershipState,
  PartnershipCommand,
  partnershipDecider,
  streamIdFor,
} from '@passerelle/domain';
import { IHUB, NOW, ORGANIZATIONS, POLE } from '@passerelle/domain/testing/fixtures';
import {
  EventStore,
  eventStoreMigrations,
  ReadStreamOptions,
  RecordedEvent,
  SqlEventStore,
} from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  generateDataKey,
  MasterKey,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import type { Actor } from './actor';
import type { CommandContext } from './command-context';
import { CommandExecutor, ExecuteOutcome } from './command-executor';
import { DecisionStateCache, emptyDecisionState, foldDecisionState } from './decision-states';
import { IdempotencyKeyReusedError, StaleRevisionError } from './errors';

type CommandType = PartnershipCommand['type'];
type DataOf<T extends CommandType> = Omit<Extract<PartnershipCommand, { type: T }>['data'], 'partnershipId'>;

const officer: Actor = { sub: 'officer-1', name: 'Officer', roles: ['officer'] };
const officerOf = (org: string): Actor => ({ ...officer, org });

/** What an API replica holds of the command side: its own store decorators, key cache and executor. */
interface Replica {
  executor: CommandExecutor;
  /** Its store: the personal-data layer over the log. */
  events: EventStore;
  /** Reads of a stream this replica's executor has made. */
  reads: number;
  run<T extends CommandType>(
    partnershipId: string,
    type: T,
    data: DataOf<T>,
    context?: Partial<CommandContext>,
  ): Promise<ExecuteOutcome>;
}

describe.each(['pglite', 'postgres'] as const)(
  'CommandExecutor, two replicas on one store, on %s (decision 0026)',
  (dialect) => {
    const master = MasterKey.fromText(generateDataKey());
    let test: TestSqlClient;
    const stores: SqlEventStore[] = [];
    let log: SqlEventStore;
    let a: Replica;
    let b: Replica;

    const replica = (): Replica => {
      const stored = new SqlEventStore(test.client, { pollIntervalMs: 10_000 });
      stores.push(stored);
      const keys = new CachedPersonKeyStore(new SqlPersonKeyStore(test.client, master), {
        erasuresElsewhere: dialect === 'postgres',
      });
      const events = new PersonalDataEventStore(stored, keys, (kind, value) => master.subjectOf(kind, value));
      const self: Replica = {
        executor: undefined as unknown as CommandExecutor,
        events,
        reads: 0,
        run(partnershipId, type, data, context = {}) {
          const actor = context.actor ?? officer;
          const commandId = context.commandId ?? randomUUID();
          const full: CommandContext = {
            actor,
            commandId,
            requestHash: `POST ${type} ${JSON.stringify(data)}`,
            correlationId: randomUUID(),
            ...context,
          };
          return self.executor.execute(
            streamIdFor.partnership(partnershipId),
            partnershipDecider,
            (_state, now) =>
              ({
                type,
                data: { ...data, partnershipId },
                metadata: { now, organizations: ORGANIZATIONS, observers: [] },
              }) as PartnershipCommand,
            full,
            actor.org === undefined
              ? {}
              : { authorize: (state) => checkActingFor(actor.org!, { type, data }, state) },
          );
        },
      };
      const counted: EventStore = {
        appendToStream: (streamId, newEvents, expected) =>
          events.appendToStream(streamId, newEvents, expected),
        readStream: (streamId: string, options?: ReadStreamOptions) => {
          self.reads += 1;
          return events.readStream(streamId, options);
        },
        readAll: (options) => events.readAll(options),
        subscribeToAll: (options, handler) => events.subscribeToAll(options, handler),
        headPosition: () => events.headPosition(),
        close: () => events.close(),
      };
      self.executor = new CommandExecutor(counted, { now: () => NOW }, (hash) => `digest:${hash}`);
      return self;
    };

    beforeAll(async () => {
      test = await createTestSqlClient(dialect, 'executor_replicas');
      await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
      log = new SqlEventStore(test.client);
      stores.push(log);
    });

    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await test.cleanup();
    });

    beforeEach(() => {
      a = replica();
      b = replica();
    });

    const stream = (id: string): Promise<RecordedEvent[]> => log.readStream(streamIdFor.partnership(id));
    /** The partnership as the replica keeps it for its next command. */
    const kept = (replica: Replica, id: string): Partnership => {
      const states = (replica.executor as unknown as { decisionStates: DecisionStateCache }).decisionStates;
      const entry = states.get<PartnershipState>(streamIdFor.partnership(id), Date.now());
      if (!entry || entry.behind) throw new Error('no state kept that may be decided on');
      return proposed(entry.value.state);
    };
    /** The partnership as a read of the whole stream through the replica's personal-data layer gives it. */
    const readState = async (replica: Replica, id: string): Promise<Partnership> =>
      proposed(
        foldDecisionState(
          emptyDecisionState(partnershipDecider),
          await replica.events.readStream(streamIdFor.partnership(id)),
          partnershipDecider,
        ).state,
      );
    const types = async (id: string) => (await stream(id)).map((event) => event.type);
    const propose = (on: Replica, id = randomUUID(), context: Partial<CommandContext> = {}) =>
      on
        .run(
          id,
          'ProposePartnership',
          {
            title: 'Blue economy',
            parties: [IHUB.id, POLE.id],
            sectors: ['blue_economy'],
            axes: ['business_development'],
          },
          context,
        )
        .then(() => id);
    const suspend = { reason: 'Budget review' };
    const refusal = (code: string) => expect.objectContaining({ name: 'DomainError', code });

    it('decides on the state it kept, in one round trip, while no one else writes the stream', async () => {
      const id = await propose(a);
      expect(a.reads).toBe(1); // nothing kept for a stream never seen
      await a.run(id, 'SuspendPartnership', suspend);
      const resumed = await a.run(id, 'ResumePartnership', {});
      expect(a.reads).toBe(1);
      expect(resumed).toMatchObject({ revision: 2, appended: true });
      expect(await types(id)).toEqual(['PartnershipProposed', 'PartnershipSuspended', 'PartnershipResumed']);
    });

    it('accepts on fresh state a command its kept state would refuse, after the other replica wrote', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend);
      // A still holds the partnership as active, where a resumption is refused: it reads before answering.
      const resumed = await a.run(id, 'ResumePartnership', {});
      expect(resumed).toMatchObject({ revision: 2, appended: true });
      expect(await types(id)).toEqual(['PartnershipProposed', 'PartnershipSuspended', 'PartnershipResumed']);
    });

    it('refuses on fresh state a command its kept state would accept, after the other replica wrote', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend);
      // A's kept state accepts a suspension; the append at its revision fails, and the stream as it is
      // now refuses it.
      await expect(a.run(id, 'SuspendPartnership', suspend)).rejects.toEqual(refusal('partnership.on_hold'));
      await expect(a.run(id, 'ScheduleIntroductionMeeting', meeting())).rejects.toBeInstanceOf(DomainError);
      expect(await types(id)).toEqual(['PartnershipProposed', 'PartnershipSuspended']);
    });

    it('answers who may act for whom on fresh state', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend);
      const outsider = officerOf('0a000000-0000-4000-8000-000000000005');
      await expect(a.run(id, 'ResumePartnership', {}, { actor: outsider })).rejects.toEqual(
        refusal('forbidden.out_of_scope'),
      );
      const party = officerOf(POLE.id);
      expect(await a.run(id, 'ResumePartnership', {}, { actor: party })).toMatchObject({ revision: 2 });
    });

    it('checks If-Match against the stream, not against what it kept', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend, { ifMatch: 0 });
      // The client read revision 0 before B's suspension: 412 with the stream's revision, not a refusal
      // decided on A's kept state (where If-Match 0 is current).
      await expect(a.run(id, 'ResumePartnership', {}, { ifMatch: 0 })).rejects.toEqual(
        new StaleRevisionError(0, 1),
      );
      // The client read revision 1 (through B): A reads before deciding, and accepts.
      expect(await a.run(id, 'ResumePartnership', {}, { ifMatch: 1 })).toMatchObject({
        revision: 2,
        appended: true,
      });
      await b.run(id, 'SuspendPartnership', suspend, { ifMatch: 2 });
      // A kept revision 2 and accepts a suspension there; the append at 2 fails: 412 with revision 3.
      await expect(a.run(id, 'SuspendPartnership', suspend, { ifMatch: 2 })).rejects.toEqual(
        new StaleRevisionError(2, 3),
      );
      expect(await types(id)).toEqual([
        'PartnershipProposed',
        'PartnershipSuspended',
        'PartnershipResumed',
        'PartnershipSuspended',
      ]);
    });

    it('answers a repeat that lands on the other replica with the first result, appending nothing', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend); // B keeps revision 1
      const commandId = randomUUID();
      await a.run(id, 'ResumePartnership', {});
      const first = await a.run(id, 'SuspendPartnership', suspend, { commandId });
      // B's kept state (on hold) refuses the suspension: it reads, finds the command, replays it.
      expect(await b.run(id, 'SuspendPartnership', suspend, { commandId })).toEqual({
        ...first,
        appended: false,
      });
      const resumeId = randomUUID();
      const resumed = await b.run(id, 'ResumePartnership', {}, { commandId: resumeId });
      await a.run(id, 'SuspendPartnership', suspend); // A keeps revision 5 (its own)
      await b.run(id, 'ResumePartnership', {}); // B writes revision 6
      // A's kept state (on hold at 5) accepts the resumption and appends it at 5: the store finds the
      // same events at 4 and A answers from the stream as it is now.
      expect(await a.run(id, 'ResumePartnership', {}, { commandId: resumeId })).toEqual({
        ...resumed,
        appended: false,
      });
      expect((await stream(id)).length).toBe(7);
    });

    it('refuses the same Idempotency-Key with another body on the other replica, appending nothing', async () => {
      const id = await propose(a);
      await b.run(id, 'SuspendPartnership', suspend);
      await b.run(id, 'ResumePartnership', {});
      const commandId = randomUUID();
      await a.run(id, 'SuspendPartnership', suspend, { commandId });
      // Same key (same event ids), another body: B's kept state (active) accepts it; the store finds
      // the ids in the stream and B refuses on what it reads.
      await expect(
        b.run(id, 'SuspendPartnership', { reason: 'Another reason' }, { commandId }),
      ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      // Another stream: the ids are in the first one.
      const other = await propose(b);
      await expect(b.run(other, 'SuspendPartnership', suspend, { commandId })).rejects.toBeInstanceOf(
        IdempotencyKeyReusedError,
      );
      expect((await stream(id)).length).toBe(4);
      expect(await types(other)).toEqual(['PartnershipProposed']);
    });

    it('decides each of concurrent commands on one stream again when it loses, and loses none', async () => {
      const id = await propose(a);
      await a.run(id, 'ScheduleIntroductionMeeting', meeting());
      await b.run(id, 'RescheduleIntroductionMeeting', { meetingId: MEETING, startsAt: at(2) });
      // Four reschedulings at once, two on each replica, none with If-Match.
      const outcomes = await Promise.all(
        [a, b, a, b].map((on, index) =>
          on.run(id, 'RescheduleIntroductionMeeting', { meetingId: MEETING, startsAt: at(index + 3) }),
        ),
      );
      expect(outcomes.map((outcome) => outcome.revision).sort()).toEqual([3, 4, 5, 6]);
      const events = await stream(id);
      const rescheduled = events.filter((event) => event.type === 'IntroductionMeetingRescheduled');
      // Each decided on the state its append followed: sequences count on, each start follows the last.
      expect(rescheduled.map((event) => event.data.sequence)).toEqual([1, 2, 3, 4, 5]);
      for (let index = 1; index < rescheduled.length; index++) {
        expect(rescheduled[index]!.data.previousStartsAt).toBe(rescheduled[index - 1]!.data.startsAt);
      }
    });

    it('keeps its own events that hold personal data as a read opens them, without reading them back', async () => {
      const id = await propose(a);
      await a.run(id, 'ScheduleIntroductionMeeting', meeting());
      const reads = a.reads;
      expect(kept(a, id)).toEqual(await readState(a, id));
      expect(kept(a, id).meetings[0]!.attendees[0]!.email).toBe(IHUB.contacts[0]!.email);
      await a.run(id, 'SuspendPartnership', suspend);
      await a.run(id, 'ResumePartnership', {});
      expect(a.reads).toBe(reads);
      expect(kept(a, id)).toEqual(await readState(a, id));
    });

    it('keeps a forgotten attendee as the store wrote them: erased', async () => {
      const email = POLE.contacts[0]!.email;
      await new SqlPersonKeyStore(test.client, master).forget(master.subjectOf('email', email));
      const id = await propose(a);
      await a.run(id, 'ScheduleIntroductionMeeting', { ...meeting(), attendees: [email] });
      const reads = a.reads;
      const attendee = kept(a, id).meetings[0]!.attendees[0]!;
      expect(attendee.email).toBe(ERASED);
      expect(kept(a, id)).toEqual(await readState(a, id));
      await a.run(id, 'SuspendPartnership', suspend);
      expect(a.reads).toBe(reads);
    });

    it('reads again after its kept states are dropped (forget-person)', async () => {
      const id = await propose(a);
      a.executor.forgetDecisionStates();
      await a.run(id, 'SuspendPartnership', suspend);
      expect(a.reads).toBe(2);
    });
  },
);

const proposed = (state: PartnershipState): Partnership => {
  if (state.status === 'none') throw new Error('no partnership');
  return state;
};

const MEETING = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0101';
/** A start `days` after the test's now. */
const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();
const meeting = () => ({
  meetingId: MEETING,
  startsAt: at(30),
  timezone: 'America/Los_Angeles',
  attendees: [IHUB.contacts[0]!.email],
});
