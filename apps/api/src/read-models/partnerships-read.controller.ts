import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  InvalidCursorError,
  OrganizationsQuery,
  OrganizationSummary,
  Page,
  PartnershipDetail,
  PartnershipsQuery,
  PartnershipSummary,
} from '@passerelle/read-models';
import { CAN_READ, Roles } from '../auth/roles';
import { UuidParameter, UuidPath } from '../http/parameters';
import { ProblemError } from '../http/problem';
import { ListOrganizationsQuery, ListPartnershipsQuery } from './read-query.dto';
import { ApiProblems, ApiRead } from '../http/openapi';
import { ReadYourWrites } from './min-position.interceptor';
import { ReadSide } from './read-interceptors';
import type { Answer } from '../http/answer';

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('partnerships')
@ReadSide()
export class PartnershipsReadController {
  constructor(private readonly partnerships: PartnershipsQuery) {}

  /** Newest first; `offset` or `cursor` paging; `total` counts every match. */
  @Get()
  @Roles(...CAN_READ)
  @ApiRead('Partnerships, filtered and paged', 'PartnershipPage')
  async list(@Query() query: ListPartnershipsQuery): Promise<Page<PartnershipSummary>> {
    try {
      return await this.partnerships.list(query);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ProblemError(400, 'invalid_cursor', `cursor: ${error.message}`, {
          errors: [{ field: 'cursor', messages: [error.message] }],
        });
      }
      throw error;
    }
  }

  /** The read model of one partnership; `ETag` is its stream revision (`If-None-Match` answers 304). */
  @Get(':id')
  @Roles(...CAN_READ)
  @ReadYourWrites()
  @UuidPath()
  @ApiRead('One partnership from the read model', 'Partnership')
  @ApiProblems(404)
  async detail(
    @Param('id', UuidParameter) id: string,
    @Res({ passthrough: true }) response: Answer,
  ): Promise<PartnershipDetail> {
    const partnership = await this.partnerships.get(id);
    if (!partnership) throw new ProblemError(404, 'partnership.not_found', `No partnership ${id}`);
    response.header('ETag', `"${partnership.revision}"`);
    return partnership;
  }
}

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
@ReadSide()
export class OrganizationsReadController {
  constructor(private readonly organizations: OrganizationsQuery) {}

  /** The directory, by name; contacts are on each organisation's own page. */
  @Get()
  @Roles(...CAN_READ)
  @ApiRead('The organisation directory, by name', 'OrganizationPage')
  list(@Query() query: ListOrganizationsQuery): Promise<Page<OrganizationSummary>> {
    return this.organizations.list(query);
  }
}
