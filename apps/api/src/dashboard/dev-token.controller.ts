import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { OrganizationsQuery } from '@passerelle/read-models';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { mintToken } from '@passerelle/application';
import { Public, Role, ROLES } from '../auth/roles';
import { ApiProblems, ApiRead } from '../http/openapi';
import { ProblemError } from '../http/problem';
import { ReadSide } from '../read-models/read-interceptors';

export class DevTokenDto {
  @ApiProperty({ enum: ROLES })
  @IsIn([...ROLES])
  role!: Role;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The organisation the token acts for (its `org` claim); absent: program staff',
  })
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

/** What the sign-in page may offer: the roles, and the organisations one may act for. */
export interface DevSignInOptions {
  roles: readonly Role[];
  organizations: { id: string; name: string; country: string }[];
}

/**
 * Development sign-in for the dashboard: a token for the chosen role (and organisation), minted only
 * while the built-in development secret is in use. Anywhere else the route does not exist (404).
 */
@ApiTags('dashboard')
@Controller('dev')
@Public()
export class DevTokenController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly organizations: OrganizationsQuery,
  ) {}

  private developmentSecret(): string {
    const { jwt } = this.config;
    if (!jwt.usingDevelopmentSecret || !jwt.secret) {
      throw new ProblemError(
        404,
        'not_found',
        'Development sign-in is off: tokens come from the identity provider',
      );
    }
    return jwt.secret;
  }

  /** Whether the sign-in page may offer the development sign-in (404 when it may not), and its choices. */
  @ReadSide()
  @Get()
  @ApiRead('Development sign-in: whether it is on (404 when not) and its choices', 'DevSignInOptions')
  @ApiProblems(404)
  async available(): Promise<DevSignInOptions> {
    this.developmentSecret();
    const { items } = await this.organizations.list({ limit: 200 });
    return {
      roles: ROLES,
      organizations: items.map(({ id, name, country }) => ({ id, name, country })),
    };
  }

  @Post('token')
  @HttpCode(201)
  @ApiOperation({ summary: 'Development sign-in: a token for a role (and organisation)' })
  @ApiResponse({
    status: 201,
    description: 'A token, valid 12 h',
    schema: { $ref: '#/components/schemas/DevToken' },
  })
  @ApiProblems(400, 404)
  async token(
    @Body() body: DevTokenDto,
  ): Promise<{ token: string; role: Role; organizationId: string | null }> {
    const secret = this.developmentSecret();
    const { jwt } = this.config;
    const org = body.organizationId;
    const token = await mintToken(
      secret,
      {
        sub: org ? `dev-${body.role}-${org}` : `dev-${body.role}`,
        name: `Development ${body.role}`,
        roles: [body.role],
        ...(org ? { org } : {}),
      },
      { expiresIn: '12h', issuer: jwt.issuer, audience: jwt.audience },
    );
    return { token, role: body.role, organizationId: org ?? null };
  }
}
