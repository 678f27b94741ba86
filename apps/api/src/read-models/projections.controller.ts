import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { projectionNamed, readCheckpoints, rebuildProjection, RebuildResult } from '@passerelle/read-models';
import { Roles } from '../auth/roles';
import { ApiProblems, ApiRead } from '../http/openapi';
import { ProblemError } from '../http/problem';
import { ReadModels } from './read-models.service';
import { ReadYourWrites } from './min-position.interceptor';
import { ReadSide } from './read-interceptors';

/** Operator endpoints (admin only): where each projection stands, and a blue/green rebuild. */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly readModels: ReadModels) {}

  /** Each projection's checkpoint as stored (whichever process runs it), its lag, and whether this process runs it. */
  @ReadSide()
  @Get()
  @Roles()
  @ReadYourWrites()
  @ApiRead('Each projection: checkpoint, lag and state')
  async status() {
    const head = await this.readModels.store.headPosition();
    const stored = await readCheckpoints(
      this.readModels.client,
      this.readModels.projections.map((projection) => projection.name),
    );
    return {
      head,
      position: this.readModels.progress.current(),
      projections: this.readModels.runner.status().map(({ name, version, active, lastError }) => {
        const checkpoint = stored.get(name);
        const position = checkpoint?.position ?? 0;
        return {
          name,
          version,
          storedVersion: checkpoint?.version ?? null,
          generation: checkpoint?.generation ?? null,
          position,
          lag: Math.max(head - position, 0),
          activeHere: active,
          lastError,
        };
      }),
    };
  }

  /** Rebuilds into new tables while the current ones serve, then swaps; answers when done. */
  @Post(':name/rebuild')
  @HttpCode(200)
  @Roles()
  @ApiOperation({ summary: 'Rebuild a projection from the log' })
  @ApiOkResponse({ description: 'The projection was rebuilt and swapped in' })
  @ApiProblems(404)
  rebuild(@Param('name') name: string): Promise<RebuildResult> {
    const projection = projectionNamed(name);
    if (!projection) throw new ProblemError(404, 'projection.not_found', `No projection ${name}`);
    return rebuildProjection({
      client: this.readModels.client,
      store: this.readModels.store,
      projection,
      locks: this.readModels.locks,
      // Embedded, one connection serves everyone: small batches leave room for the reads in between.
      batchSize: this.readModels.client.dialect === 'pglite' ? 100 : 1000,
    });
  }
}
