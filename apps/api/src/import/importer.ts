import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import {
  DomainError,
  isDomainEventType,
  PartnershipEvent,
  RegisterOrganization,
  streamIdFor,
  upcast,
} from '@passerelle/domain';
import { Actor, EVENT_STORE, EventStore, WrongExpectedRevisionError } from '@passerelle/event-store';
import { FactsLoader, NotificationSettings, withheldAsHistory } from '@passerelle/notifications';
import { MasterKey } from '@passerelle/privacy';
import { randomUUID } from 'node:crypto';
import {
  ApplicationError,
  canonicalJson,
  childIdFor,
  Clock,
  CLOCK,
  CommandContext,
  CommandExecutor,
  CommandResult,
  deterministicUuid,
  MASTER_KEY,
  NOTIFICATION_SETTINGS,
  OrganizationDirectory,
  PartnershipCommand,
  PartnershipCommandHandler,
  RegisterOrganizationCommand,
  RegisterOrganizationHandler,
  sha256,
} from '@passerelle/application';
import { toProblem } from '../http/problem.filter';
import { ProblemError } from '../http/problem';
import { emptyBody, validationPipe } from '../http/validation';
import { DryRunEventStore } from './dry-run-event-store';
import {
  commandKind,
  ImportCommandName,
  importIdFor,
  resolveKeys,
  resolveRelativeTimes,
  Target,
} from './import-commands';
import { ImportLine, ImportSource, isUnreadable, readSource } from './import-lines';

/** A line that was, or would be, refused: where, and the problem the API would have answered. */
export interface ImportRefusal {
  file: string;
  line: number;
  key?: string;
  command?: ImportCommandName;
  status: number;
  type: string;
  detail: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Command lines read (a CSV header, blank lines and comments are not commands). */
  read: number;
  accepted: number;
  /** Lines whose command is already in the log (a second run): nothing appended. */
  alreadyThere: number;
  refused: number;
  refusals: ImportRefusal[];
  /** E-mails history kept quiet: messages about past events, and reminders already overdue. */
  withheld: { messages: number; reminders: number };
  /** Events appended (or, in a dry run, that would be). */
  events: number;
  durationMs: number;
}

export interface ImportOptions {
  dryRun?: boolean;
  actor?: Actor;
  /** Partnerships imported side by side (the lines of each in their order); 1: one line at a time. */
  concurrency?: number;
  /** Called after each line with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export const IMPORT_ACTOR: Actor = { sub: 'import', name: 'Import', roles: ['admin'] };

/** Commands whose events can send an e-mail: the others need no look at what history withheld. */
const MAY_NOTIFY = new Set<string>([
  'ScheduleIntroductionMeeting',
  'RescheduleIntroductionMeeting',
  'CancelIntroductionMeeting',
  'DraftAgreement',
  'AmendAgreement',
  'SignAgreement',
  'LaunchJointProject',
  'DraftMou',
  'SignMou',
  'WithdrawPartnership',
]);

interface Dispatcher {
  store: EventStore;
  execute(command: RegisterOrganizationCommand | PartnershipCommand): Promise<CommandResult>;
}

/**
 * Imports organisations and partnership histories through the command handlers the HTTP API uses: each
 * line's body is validated by the route's DTO, its command decided by the same rules, and its id derived
 * from its key, so a second run appends nothing. A dry run decides every line on a copy of the store kept
 * in memory (the lines before it included) and writes nothing.
 */
@Injectable()
export class Importer {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MASTER_KEY) private readonly masterKey: MasterKey,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {}

  async run(sources: readonly ImportSource[], options: ImportOptions = {}): Promise<ImportReport> {
    const started = performance.now();
    const dryRun = options.dryRun ?? false;
    const dispatcher = dryRun ? this.dryRunDispatcher() : this.liveDispatcher();
    const facts = new FactsLoader(dispatcher.store, { partnerships: 1000, organizationTtlMs: 60_000 });
    const lines = sources.flatMap(readSource);
    const fileOrder = (file: string) => sources.findIndex((source) => source.name === file);
    const report: ImportReport = {
      dryRun,
      read: lines.length,
      accepted: 0,
      alreadyThere: 0,
      refused: 0,
      refusals: [],
      withheld: { messages: 0, reminders: 0 },
      events: 0,
      durationMs: 0,
    };
    const headBefore = await dispatcher.store.headPosition();
    const correlationId = randomUUID();
    const actor = options.actor ?? IMPORT_ACTOR;
    const firstLineOfKey = new Map<string, ImportLine>();
    let done = 0;

    const importLine = async (line: ImportLine): Promise<void> => {
      try {
        const { command, partnershipId, commandId } = await this.commandFor(line, actor, correlationId);
        const result = await dispatcher.execute(command);
        // Appended now only if its position lies past everything the log held when the run began (each
        // key runs once per run); otherwise the command was already there and was answered again.
        if (result.position > headBefore) {
          report.accepted++;
          if (partnershipId && MAY_NOTIFY.has((command as PartnershipCommand).type)) {
            await this.countWithheld(dispatcher.store, facts, partnershipId, commandId, report);
          }
        } else {
          report.alreadyThere++;
        }
      } catch (error) {
        report.refusals.push(this.refusal(line, error));
      }
    };

    const lanes = new Lanes(options.concurrency ?? 1);
    let phase: 'organization' | 'partnership' | undefined;
    for (const line of lines) {
      const finish = () => options.onProgress?.(++done, lines.length);
      if (isUnreadable(line)) {
        report.refusals.push({ ...line, status: 400 });
        finish();
        continue;
      }
      const earlier = firstLineOfKey.get(line.key);
      if (earlier) {
        // The same line in two files (the demo's organisations in the full list): one command.
        if (sameCommand(earlier, line)) report.alreadyThere++;
        else
          report.refusals.push({
            ...this.located(line),
            status: 400,
            type: 'import.duplicate_key',
            detail: `the key ${line.key} names another command at ${earlier.file}:${earlier.line}`,
          });
        finish();
        continue;
      }
      firstLineOfKey.set(line.key, line);
      // Organisations are registered before the partnerships that name them, whatever the concurrency:
      // the lines of one partnership run in their order, partnerships side by side.
      const kind = line.command === 'register-organization' ? 'organization' : 'partnership';
      if (phase !== kind) await lanes.drain();
      phase = kind;
      await lanes.add(laneOf(line), () => importLine(line).then(finish));
    }
    await lanes.drain();
    report.refusals.sort((a, b) => fileOrder(a.file) - fileOrder(b.file) || a.line - b.line);
    report.refused = report.refusals.length;
    report.events = (await dispatcher.store.headPosition()) - headBefore;
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }

  private async commandFor(
    line: ImportLine,
    actor: Actor,
    correlationId: string,
  ): Promise<{
    command: RegisterOrganizationCommand | PartnershipCommand;
    partnershipId?: string;
    commandId: string;
  }> {
    const kind = commandKind(line.command);
    const commandId = deterministicUuid('import-command', line.key);
    const context: CommandContext = {
      actor,
      commandId,
      idempotencyKey: `import:${line.key}`,
      // The line as written (before relative times are resolved): a re-run on a later day is a repeat.
      requestHash: sha256(canonicalJson({ command: line.command, targets: line.targets, body: line.body })),
      correlationId,
    };
    const targets: Partial<Record<Target, string>> = {};
    for (const [target, value] of Object.entries(line.targets) as [Target, string][]) {
      targets[target] = importIdFor(target, value);
    }
    const raw = resolveKeys(resolveRelativeTimes(line.body, this.clock.now()), kind.ids);
    const body = (
      kind.dto === null
        ? emptyBody.transform(raw)
        : await validationPipe.transform(raw, { type: 'body', metatype: kind.dto })
    ) as Record<string, unknown>;

    if (kind.type === 'RegisterOrganization') {
      const id = (body.id as string | undefined) ?? targets.organization;
      if (!id) throw invalid('organization (or body.id) names the organisation to register');
      if (targets.organization && body.id && body.id !== targets.organization)
        throw invalid('body.id and organization name different organisations');
      return {
        command: new RegisterOrganizationCommand(
          id,
          body as unknown as RegisterOrganization['data'],
          context,
        ),
        commandId,
      };
    }
    for (const target of kind.targets) {
      if (!targets[target]) throw invalid(`${line.command} needs ${target}: the id or key of the ${target}`);
    }
    const partnershipId = targets.partnership ?? (body.id as string | undefined);
    if (!partnershipId) throw invalid('partnership names the partnership: its id or key');
    if (body.id !== undefined && body.id !== partnershipId)
      throw invalid('body.id and partnership name different partnerships');
    const data = kind.data(withCreatedIds(line.command, body, commandId), targets as Record<string, string>);
    return {
      command: new PartnershipCommand(partnershipId, kind.type, data as never, context),
      partnershipId,
      commandId,
    };
  }

  private liveDispatcher(): Dispatcher {
    return { store: this.store, execute: (command) => this.commandBus.execute(command) };
  }

  /** The same handler classes the command bus runs, over a store that keeps appends in memory. */
  private dryRunDispatcher(): Dispatcher {
    const store = new DryRunEventStore(this.store);
    const executor = new CommandExecutor(store, this.clock, this.masterKey);
    const organizations = new RegisterOrganizationHandler(executor);
    const partnerships = new PartnershipCommandHandler(
      executor,
      new OrganizationDirectory(executor),
      this.config,
    );
    return {
      store,
      execute: (command) =>
        command instanceof RegisterOrganizationCommand
          ? organizations.execute(command)
          : partnerships.execute(command),
    };
  }

  private async countWithheld(
    store: EventStore,
    facts: FactsLoader,
    partnershipId: string,
    commandId: string,
    report: ImportReport,
  ): Promise<void> {
    const recent = await store.readStream(streamIdFor.partnership(partnershipId), {
      direction: 'backwards',
      maxCount: 4,
    });
    const loaded = await facts.partnership(partnershipId);
    if (!loaded) return;
    const context = { now: this.clock.now(), settings: this.settings };
    for (const recorded of recent.reverse()) {
      if (recorded.metadata.commandId !== commandId || !isDomainEventType(recorded.type)) continue;
      const event = upcast(recorded) as unknown as PartnershipEvent;
      const withheld = withheldAsHistory(
        { id: recorded.id, position: recorded.position, event },
        loaded.facts,
        context,
      );
      report.withheld.messages += withheld.messages;
      report.withheld.reminders += withheld.reminders;
    }
  }

  private located(line: ImportLine) {
    return { file: line.file, line: line.line, key: line.key, command: line.command };
  }

  private refusal(line: ImportLine, error: unknown): ImportRefusal {
    const known =
      error instanceof ProblemError ||
      error instanceof ApplicationError ||
      error instanceof DomainError ||
      error instanceof WrongExpectedRevisionError;
    if (!known) throw error;
    const { body } = toProblem(error);
    let detail = body.detail ?? body.title;
    if (body.type.endsWith(':idempotency_key_reused')) {
      detail =
        'this key was imported before with another command or body: a line, once imported, stays as it was';
    }
    return {
      ...this.located(line),
      status: body.status,
      type: body.type,
      detail,
    };
  }
}

const invalid = (detail: string) => new ProblemError(400, 'validation', detail);

/**
 * Ids a creating command leaves to the server, derived as the controller derives them from an
 * Idempotency-Key: the same line names the same meeting, agreement, project, milestones or MOU.
 */
function withCreatedIds(
  command: ImportCommandName,
  body: Record<string, unknown>,
  commandId: string,
): Record<string, unknown> {
  const created = (field: string, kind: string) =>
    body[field] === undefined ? { [field]: childIdFor(commandId, kind) } : {};
  switch (command) {
    case 'schedule-meeting':
      return { ...body, ...created('meetingId', 'meeting') };
    case 'draft-agreement':
      return { ...body, ...created('agreementId', 'agreement') };
    case 'draft-mou':
      return { ...body, ...created('mouId', 'mou') };
    case 'launch-project':
      return {
        ...body,
        ...created('projectId', 'project'),
        milestones: (body.milestones as Record<string, unknown>[]).map((milestone, index) => ({
          ...milestone,
          milestoneId: milestone.milestoneId ?? childIdFor(commandId, 'milestone', index),
        })),
      };
    default:
      return body;
  }
}

const sameCommand = (a: ImportLine, b: ImportLine): boolean =>
  canonicalJson({ c: a.command, t: a.targets, b: a.body }) ===
  canonicalJson({ c: b.command, t: b.targets, b: b.body });

/** Which lines must run one after another: those of one partnership (or one organisation). */
function laneOf(line: ImportLine): string {
  if (line.command === 'register-organization') {
    const target = line.targets.organization ?? (typeof line.body.id === 'string' ? line.body.id : line.key);
    return `organization:${importIdFor('organization', target)}`;
  }
  const target = line.targets.partnership ?? (typeof line.body.id === 'string' ? line.body.id : line.key);
  return `partnership:${importIdFor('partnership', target)}`;
}

/**
 * Work in lanes: tasks of one lane run in the order added, lanes run side by side, at most `width` tasks
 * at a time. `add` waits while the width is taken, so a long file is never read ahead of the work.
 */
class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly width: number) {}

  async add(lane: string, task: () => Promise<void>): Promise<void> {
    while (this.running.size >= Math.max(1, this.width)) await Promise.race(this.running);
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const next = previous.then(task);
    this.tails.set(lane, next);
    this.running.add(next);
    // A failure (not a refusal: the store is gone) surfaces through `add` or `drain`.
    next
      .finally(() => {
        this.running.delete(next);
        if (this.tails.get(lane) === next) this.tails.delete(lane);
      })
      .catch(() => undefined);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
