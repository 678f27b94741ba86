import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CommandBus, ICommand } from '@nestjs/cqrs';
import { toProblem } from '../http/problem.filter';
import { Metrics } from './metrics';

/** The command's type: a partnership command's own `type`, else its class without the `Command` suffix. */
export function commandTypeOf(command: ICommand): string {
  const type = (command as { type?: unknown }).type;
  if (typeof type === 'string' && type.length > 0) return type;
  return command.constructor.name.replace(/Command$/, '') || 'unknown';
}

/**
 * Counts and times every command where they all pass: the CommandBus (HTTP controllers, the agreement
 * expiry timer, the demo loader). A refusal is classified as the problem filter would answer it, so the
 * `problem_type` label is the `type` the client sees; 5xx answers count as `failed`.
 */
@Injectable()
export class CommandMetrics implements OnModuleInit {
  constructor(
    @Inject(CommandBus) private readonly commandBus: CommandBus,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const bus = this.commandBus;
    const execute = bus.execute.bind(bus) as (command: ICommand, ...rest: unknown[]) => Promise<unknown>;
    const metrics = this.metrics;
    const measured = async (command: ICommand, ...rest: unknown[]): Promise<unknown> => {
      const started = process.hrtime.bigint();
      const type = commandTypeOf(command);
      try {
        const result = await execute(command, ...rest);
        metrics.recordCommand(type, 'accepted', '', started);
        return result;
      } catch (error) {
        const { body } = toProblem(error);
        metrics.recordCommand(type, body.status >= 500 ? 'failed' : 'refused', body.type, started);
        throw error;
      }
    };
    bus.execute = measured as CommandBus['execute'];
  }
}
