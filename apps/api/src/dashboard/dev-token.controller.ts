import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { IsIn } from 'class-validator';
import { mintToken } from '../auth/mint-token';
import { Public, Role, ROLES } from '../auth/roles';
import { ProblemError } from '../http/problem';

export class DevTokenDto {
  @IsIn([...ROLES]) role!: Role;
}

/**
 * Development sign-in for the dashboard: a token for the chosen role, minted only while the
 * built-in development secret is in use. Anywhere else the route does not exist (404).
 */
@ApiExcludeController()
@Controller('dev')
@Public()
export class DevTokenController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

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

  /** Whether the sign-in page may offer the development sign-in (404 when it may not). */
  @Get()
  available(): { roles: readonly Role[] } {
    this.developmentSecret();
    return { roles: ROLES };
  }

  @Post('token')
  @HttpCode(201)
  async token(@Body() body: DevTokenDto): Promise<{ token: string; role: Role }> {
    const secret = this.developmentSecret();
    const { jwt } = this.config;
    const token = await mintToken(
      secret,
      { sub: `dev-${body.role}`, name: `Development ${body.role}`, roles: [body.role] },
      { expiresIn: '12h', issuer: jwt.issuer, audience: jwt.audience },
    );
    return { token, role: body.role };
  }
}
