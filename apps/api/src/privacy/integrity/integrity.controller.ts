import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SqlClient } from '@passerelle/database';
import {
  HeadSigner,
  IntegrityResult,
  listSignedHeads,
  listSigningKeySuccessions,
  SigningKey,
} from '@passerelle/privacy';
import { CAN_AUDIT, Roles } from '../../auth/roles';
import { SQL_CLIENT } from '@passerelle/application';
import { IntegrityCheck } from './integrity-check';
import { SIGNING_KEY } from './signing-key';
import { ReadYourWrites } from '../../read-models/min-position.interceptor';
import { ReadSide } from '../../read-models/read-interceptors';

const SHOWN_HEADS = 100;

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@Roles(...CAN_AUDIT)
export class IntegrityController {
  constructor(
    private readonly check: IntegrityCheck,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    private readonly signer: HeadSigner,
  ) {}

  @ReadSide()
  @Get('integrity')
  @ReadYourWrites()
  @ApiOperation({
    summary: 'Recompute every hash chain and check every signed head',
    description:
      '`firstMismatch` names the first event (stream, revision, position) whose stored hash does not hold; `heads.failures` the signed heads that no longer match the log.',
  })
  integrity(): Promise<IntegrityResult> {
    return this.check.run();
  }

  @ReadSide()
  @Get('heads')
  @ReadYourWrites()
  @ApiOperation({
    summary: 'The latest signed heads and the public key that verifies them, to keep elsewhere',
    description:
      '`successions` lists every rotation of the signing key (`previous` signed the heads up to `lastPosition`, `next` from then on), each signed by both keys: what links a key kept from before a rotation to the heads signed after it.',
  })
  async heads() {
    const [heads, successions] = await Promise.all([
      listSignedHeads(this.sql, SHOWN_HEADS),
      listSigningKeySuccessions(this.sql),
    ]);
    return { publicKey: this.key.publicKeyText, heads, successions };
  }

  @Post('heads')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign the head of the log now' })
  async sign() {
    return { publicKey: this.key.publicKeyText, head: await this.signer.signHead() };
  }
}
