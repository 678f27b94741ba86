import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { organizationDecider, streamIdFor } from '@passerelle/domain';
import { randomUUID } from 'node:crypto';
import {
  AggregateStreams,
  childIdFor,
  CommandContext,
  CommandResult,
  MeasuredCommandBus,
  RegisterOrganizationCommand,
} from '@passerelle/application';
import { CAN_COMMAND, CAN_READ, Roles } from '../auth/roles';
import { CommandRequest } from '../http/command-request';
import { ApiCommand, ApiProblems, ApiRead, COMMAND_PROBLEMS } from '../http/openapi';
import { UuidParameter, UuidPath } from '../http/parameters';
import { ProblemError } from '../http/problem';
import { RegisterOrganizationDto } from './organization.dto';
import { ReadYourWrites } from '../read-models/min-position.interceptor';
import { ReadSide } from '../read-models/read-interceptors';
import type { Answer } from '../http/answer';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(
    @Inject(MeasuredCommandBus) private readonly commandBus: MeasuredCommandBus,
    @Inject(AggregateStreams) private readonly streams: AggregateStreams,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles(...CAN_COMMAND)
  @ApiCommand('Register an organisation', 201)
  @ApiProblems(...COMMAND_PROBLEMS)
  async register(
    @Body() body: RegisterOrganizationDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ): Promise<CommandResult> {
    const id =
      body.id ?? (context.idempotencyKey ? childIdFor(context.commandId, 'organization') : randomUUID());
    const result = await this.commandBus.execute(new RegisterOrganizationCommand(id, body, context));
    response.header('Location', `/api/organizations/${id}`);
    return result;
  }

  @ReadSide()
  @Get(':id')
  @Roles(...CAN_READ)
  @ReadYourWrites()
  @UuidPath()
  @ApiRead('One organisation, folded from its events, with its contacts', 'Organization')
  @ApiProblems(404)
  async get(@Param('id', UuidParameter) id: string, @Res({ passthrough: true }) response: Answer) {
    const { state, revision } = await this.streams.load(streamIdFor.organization(id), organizationDecider);
    if (revision < 0) throw new ProblemError(404, 'organization.not_found', `No organisation ${id}`);
    response.header('ETag', `"${revision}"`);
    return { ...state, revision };
  }
}
