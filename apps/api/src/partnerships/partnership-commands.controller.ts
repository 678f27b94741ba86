import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import {
  childIdFor,
  CommandContext,
  CommandResult,
  MeasuredCommandBus,
  PartnershipCommand,
} from '@passerelle/application';
import { CAN_COMMAND, Roles } from '../auth/roles';
import { CommandRequest } from '../http/command-request';
import { ApiCommand, ApiProblems, COMMAND_PROBLEMS } from '../http/openapi';
import { UuidParameter } from '../http/parameters';
import {
  AmendAgreementDto,
  CompleteProjectDto,
  DraftAgreementDto,
  DraftMouDto,
  LaunchProjectDto,
  ProposePartnershipDto,
  ReachMilestoneDto,
  ReasonDto,
  RecordMeetingOutcomeDto,
  ResumeDto,
  RescheduleMeetingDto,
  ScheduleMeetingDto,
  SignDto,
} from './partnership.dto';
import type { Answer } from '../http/answer';

const Uuid = UuidParameter;

/** An id the client may leave out: derived from the Idempotency-Key when there is one, so a repeat names the same thing. */
function newId(context: CommandContext, kind: string, index = 0): string {
  return context.idempotencyKey ? childIdFor(context.commandId, kind, index) : randomUUID();
}

@ApiTags('partnership commands')
@ApiBearerAuth()
@ApiProblems(...COMMAND_PROBLEMS)
@Controller('partnerships')
@Roles(...CAN_COMMAND)
export class PartnershipCommandsController {
  constructor(@Inject(MeasuredCommandBus) private readonly commandBus: MeasuredCommandBus) {}

  private send<T extends PartnershipCommand['type']>(
    partnershipId: string,
    type: T,
    data: PartnershipCommand<T>['data'],
    context: CommandContext,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new PartnershipCommand(partnershipId, type, data, context));
  }

  private created(
    response: Answer,
    location: string,
    result: CommandResult,
    extra: Record<string, string> = {},
  ) {
    response.header('Location', `/api/partnerships/${location}`);
    response.header('ETag', `"${result.revision}"`);
    return { ...result, ...extra };
  }

  @Post()
  @HttpCode(201)
  @ApiCommand('Propose a partnership', 201)
  async propose(
    @Body() body: ProposePartnershipDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const id = body.id ?? newId(context, 'partnership');
    const result = await this.send(
      id,
      'ProposePartnership',
      {
        title: body.title,
        description: body.description,
        parties: body.parties,
        sectors: body.sectors,
        axes: body.axes,
        on: body.on,
      },
      context,
    );
    return this.created(response, id, result);
  }

  @Post(':id/meetings')
  @HttpCode(201)
  @ApiCommand('Schedule an introduction meeting', 201, 'meetingId')
  async scheduleMeeting(
    @Param('id', Uuid) id: string,
    @Body() body: ScheduleMeetingDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const meetingId = body.meetingId ?? newId(context, 'meeting');
    const result = await this.send(id, 'ScheduleIntroductionMeeting', { ...body, meetingId }, context);
    return this.created(response, `${id}/meetings/${meetingId}`, result, { meetingId });
  }

  @Post(':id/meetings/:meetingId/reschedule')
  @HttpCode(200)
  @ApiCommand('Reschedule a meeting', 200)
  rescheduleMeeting(
    @Param('id', Uuid) id: string,
    @Param('meetingId', Uuid) meetingId: string,
    @Body() body: RescheduleMeetingDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'RescheduleIntroductionMeeting', { ...body, meetingId }, context);
  }

  @Post(':id/meetings/:meetingId/cancel')
  @HttpCode(200)
  @ApiCommand('Cancel a meeting', 200)
  cancelMeeting(
    @Param('id', Uuid) id: string,
    @Param('meetingId', Uuid) meetingId: string,
    @Body() body: ReasonDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'CancelIntroductionMeeting', { ...body, meetingId }, context);
  }

  @Post(':id/meetings/:meetingId/outcome')
  @HttpCode(200)
  @ApiCommand('Record the outcome of a held meeting', 200)
  recordOutcome(
    @Param('id', Uuid) id: string,
    @Param('meetingId', Uuid) meetingId: string,
    @Body() body: RecordMeetingOutcomeDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'RecordIntroductionMeetingOutcome', { ...body, meetingId }, context);
  }

  @Post(':id/agreements')
  @HttpCode(201)
  @ApiCommand('Draft a cooperation agreement', 201, 'agreementId')
  async draftAgreement(
    @Param('id', Uuid) id: string,
    @Body() body: DraftAgreementDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const agreementId = body.agreementId ?? newId(context, 'agreement');
    const result = await this.send(id, 'DraftAgreement', { ...body, agreementId }, context);
    return this.created(response, `${id}/agreements/${agreementId}`, result, { agreementId });
  }

  @Post(':id/agreements/:agreementId/amendments')
  @HttpCode(200)
  @ApiCommand('Amend a draft agreement', 200)
  amendAgreement(
    @Param('id', Uuid) id: string,
    @Param('agreementId', Uuid) agreementId: string,
    @Body() body: AmendAgreementDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'AmendAgreement', { ...body, agreementId }, context);
  }

  @Post(':id/agreements/:agreementId/signatures')
  @HttpCode(200)
  @ApiCommand('Sign an agreement for an organisation', 200)
  signAgreement(
    @Param('id', Uuid) id: string,
    @Param('agreementId', Uuid) agreementId: string,
    @Body() body: SignDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'SignAgreement', { ...body, agreementId }, context);
  }

  @Post(':id/projects')
  @HttpCode(201)
  @ApiCommand('Launch a joint project', 201, 'projectId')
  async launchProject(
    @Param('id', Uuid) id: string,
    @Body() body: LaunchProjectDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const projectId = body.projectId ?? newId(context, 'project');
    const milestones = body.milestones.map((m, index) => ({
      ...m,
      milestoneId: m.milestoneId ?? newId(context, 'milestone', index),
    }));
    const result = await this.send(id, 'LaunchJointProject', { ...body, projectId, milestones }, context);
    return this.created(response, `${id}/projects/${projectId}`, result, { projectId });
  }

  @Post(':id/projects/:projectId/milestones')
  @HttpCode(200)
  @ApiCommand('Mark a project milestone reached', 200)
  reachMilestone(
    @Param('id', Uuid) id: string,
    @Param('projectId', Uuid) projectId: string,
    @Body() body: ReachMilestoneDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'ReachJointProjectMilestone', { ...body, projectId }, context);
  }

  @Post(':id/projects/:projectId/completion')
  @HttpCode(200)
  @ApiCommand('Complete a joint project', 200)
  completeProject(
    @Param('id', Uuid) id: string,
    @Param('projectId', Uuid) projectId: string,
    @Body() body: CompleteProjectDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'CompleteJointProject', { ...body, projectId }, context);
  }

  @Post(':id/mous')
  @HttpCode(201)
  @ApiCommand('Draft a memorandum of understanding', 201, 'mouId')
  async draftMou(
    @Param('id', Uuid) id: string,
    @Body() body: DraftMouDto,
    @CommandRequest() context: CommandContext,
    @Res({ passthrough: true }) response: Answer,
  ) {
    const mouId = body.mouId ?? newId(context, 'mou');
    const result = await this.send(id, 'DraftMou', { ...body, mouId }, context);
    return this.created(response, `${id}/mous/${mouId}`, result, { mouId });
  }

  @Post(':id/mous/:mouId/signatures')
  @HttpCode(200)
  @ApiCommand('Sign an MOU for an organisation', 200)
  signMou(
    @Param('id', Uuid) id: string,
    @Param('mouId', Uuid) mouId: string,
    @Body() body: SignDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'SignMou', { ...body, mouId }, context);
  }

  @Post(':id/suspension')
  @HttpCode(200)
  @ApiCommand('Put a partnership on hold', 200)
  suspend(@Param('id', Uuid) id: string, @Body() body: ReasonDto, @CommandRequest() context: CommandContext) {
    return this.send(id, 'SuspendPartnership', { ...body }, context);
  }

  @Post(':id/resumption')
  @HttpCode(200)
  @ApiCommand('Resume a partnership on hold', 200)
  resume(@Param('id', Uuid) id: string, @Body() body: ResumeDto, @CommandRequest() context: CommandContext) {
    return this.send(id, 'ResumePartnership', { ...body }, context);
  }

  @Post(':id/withdrawal')
  @HttpCode(200)
  @ApiCommand('Withdraw a partnership', 200)
  withdraw(
    @Param('id', Uuid) id: string,
    @Body() body: ReasonDto,
    @CommandRequest() context: CommandContext,
  ) {
    return this.send(id, 'WithdrawPartnership', { ...body }, context);
  }
}
