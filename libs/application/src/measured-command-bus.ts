import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandBus, ICommand } from '@nestjs/cqrs';

/** Told of every command that went through MeasuredCommandBus: its type, when it started, how it ended. */
export interface CommandObserver {
  /** `error` is undefined when the command was accepted. */
  settled(type: string, startedAt: bigint, error?: unknown): void;
}

/** The command's type: a partnership command's own `type`, else its class without the `Command` suffix. */
export function commandTypeOf(command: ICommand): string {
  const type = (command as { type?: unknown }).type;
  if (typeof type === 'string' && type.length > 0) return type;
  return command.constructor.name.replace(/Command$/, '') || 'unknown';
}

/**
 * The one way commands are sent (HTTP controllers, the import, the agreement expiry timer): Nest's
 * CommandBus routes each typed command to its handler; this adds the seam where observers (the API's
 * command metrics) learn how each one ended, without patching the bus.
 */
@Injectable()
export class MeasuredCommandBus {
  private readonly observers: CommandObserver[] = [];

  constructor(@Inject(CommandBus) private readonly bus: CommandBus) {}

  /** Registers an observer for every command sent from now on. */
  observe(observer: CommandObserver): void {
    this.observers.push(observer);
  }

  async execute<R>(command: Command<R>): Promise<R> {
    const startedAt = process.hrtime.bigint();
    try {
      const result = await this.bus.execute(command);
      this.tell(command, startedAt);
      return result;
    } catch (error) {
      this.tell(command, startedAt, error);
      throw error;
    }
  }

  private tell(command: ICommand, startedAt: bigint, error?: unknown): void {
    if (this.observers.length === 0) return;
    const type = commandTypeOf(command);
    for (const observer of this.observers) observer.settled(type, startedAt, error);
  }
}
