import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@passerelle/event-store';
import { randomUUID } from 'node:crypto';
import { CommandResult, ForgetPersonCommand } from '@passerelle/application';
import { CurrentActor } from '../../auth/actor.decorator';
import { Roles } from '../../auth/roles';
import { ProblemError } from '../../http/problem';
import { ForgetPersonDto } from './forget-person.dto';

@ApiTags('personal data')
@ApiBearerAuth()
@Controller('people')
@Roles()
export class PeopleController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('forget')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Forget a person (admin)',
    description:
      'Deletes the key of a contact or attendee (`email`) or of a signer (`signerName`): their fields read as "[erased]" in every event, read model and notification from then on (no table holds them in clear), and nothing of them is stored again. Records PersonForgotten, without personal data. Answers `{ id: subject, revision, position }`; forgetting again answers the same.',
  })
  forget(
    @Body() body: ForgetPersonDto,
    @CurrentActor() actor: Actor,
    @Headers('x-correlation-id') correlation: string | undefined,
  ): Promise<CommandResult> {
    const given = [body.email, body.signerName].filter((v) => v !== undefined);
    if (given.length !== 1) {
      throw new ProblemError(400, 'validation', 'Give either email or signerName, not both and not neither');
    }
    const [kind, value] =
      body.email !== undefined ? (['email', body.email] as const) : (['name', body.signerName!] as const);
    const correlationId = correlation && correlation.length <= 200 ? correlation : randomUUID();
    return this.commandBus.execute(new ForgetPersonCommand(kind, value, actor, correlationId));
  }
}
