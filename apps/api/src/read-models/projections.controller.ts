import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { projectionNamed, rebuildProjection, RebuildResult } from '@passerelle/read-models';
import { Roles } from '../auth/roles';
import { ProblemError } from '../http/problem';
import { ReadModels } from './read-models.service';

/** Operator endpoints (admin only): where each projection stands, and a blue/green rebuild. */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly readModels: ReadModels) {}

  @Get()
  @Roles()
  async status() {
    const head = await this.readModels.store.headPosition();
    return {
      head,
      position: this.readModels.progress.current(),
      projections: this.readModels.runner.status().map((status) => {
        const position = Math.max(status.position, this.readModels.progress.positionOf(status.name));
        return { ...status, position, lag: Math.max(head - position, 0) };
      }),
    };
  }

  /** Rebuilds into new tables while the current ones serve, then swaps; answers when done. */
  @Post(':name/rebuild')
  @HttpCode(200)
  @Roles()
  rebuild(@Param('name') name: string): Promise<RebuildResult> {
    const projection = projectionNamed(name);
    if (!projection) throw new ProblemError(404, 'projection.not_found', `No projection ${name}`);
    return rebuildProjection({
      client: this.readModels.client,
      store: this.readModels.store,
      projection,
      locks: this.readModels.locks,
    });
  }
}
