import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CommandObserver, MeasuredCommandBus } from '@passerelle/application';
import { toProblem } from '../http/problem.filter';
import { Metrics } from './metrics';

/**
 * Counts and times every command where they all pass: MeasuredCommandBus (HTTP controllers, the agreement
 * expiry timer, the import and the demo loader). A refusal is labelled with the problem type the client
 * sees (the HTTP edge's own mapping); 5xx answers count as `failed`.
 */
@Injectable()
export class CommandMetrics implements OnModuleInit, CommandObserver {
  constructor(
    @Inject(MeasuredCommandBus) private readonly commands: MeasuredCommandBus,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.commands.observe(this);
  }

  settled(type: string, startedAt: bigint, error?: unknown): void {
    if (error === undefined) {
      this.metrics.recordCommand(type, 'accepted', '', startedAt);
      return;
    }
    const { body } = toProblem(error);
    this.metrics.recordCommand(type, body.status >= 500 ? 'failed' : 'refused', body.type, startedAt);
  }
}
