import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AXES, Language, LANGUAGES, PARTNERSHIP_STAGES, SECTORS } from '@passerelle/domain';

const CalendarDate = () => Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date YYYY-MM-DD' });

const PARTY_REGION =
  "Partnerships with a party from this region (as registered, any case), e.g. Provence-Alpes-Côte d'Azur";

/** Every read accepts `minPosition` (read your writes; see MinPositionInterceptor). */
export class ReadQuery {
  @ApiPropertyOptional({
    description: 'Wait (up to 5 s) until the read models have processed this global position',
  })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'minPosition must be a global position (a whole number)' })
  minPosition?: string;
}

export class PagedQuery extends ReadQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ListPartnershipsQuery extends PagedQuery {
  @ApiPropertyOptional({ enum: PARTNERSHIP_STAGES })
  @IsOptional()
  @IsIn(PARTNERSHIP_STAGES)
  stage?: string;

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ enum: AXES })
  @IsOptional()
  @IsIn(AXES)
  axis?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Partnerships this organisation is a party to' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ description: PARTY_REGION })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;

  @ApiPropertyOptional({ description: 'Words in the title' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (instead of offset)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class ListOrganizationsQuery extends PagedQuery {
  @ApiPropertyOptional({ example: 'FR' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ description: 'Words in the name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** The dashboards' filters: partnerships in a sector, along an axis, with a party, or with a party from a region. */
export class DashboardFilterQuery extends ReadQuery {
  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ enum: AXES })
  @IsOptional()
  @IsIn(AXES)
  axis?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Partnerships this organisation is a party to' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({
    description:
      "Partnerships with a party from this region (as registered, any case), e.g. Provence-Alpes-Côte d'Azur",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;
}

/** The pipeline's filters, and the period its conversion and medians count in (business dates). */
export class PipelineQuery extends DashboardFilterQuery {
  @ApiPropertyOptional({ description: 'First business day of the period, YYYY-MM-DD (default: open)' })
  @IsOptional()
  @CalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Last business day of the period, YYYY-MM-DD (default: open)' })
  @IsOptional()
  @CalendarDate()
  to?: string;
}

export class ActivityQuery extends ReadQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextBefore of the previous page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnershipId?: string;

  @ApiPropertyOptional({
    enum: LANGUAGES,
    description:
      'Language of the sentences; without it, the first of English and French that Accept-Language prefers, else English',
  })
  @IsOptional()
  @IsIn(LANGUAGES)
  lang?: Language;
}

export class FeedbackQuery extends ReadQuery {
  @ApiPropertyOptional({ description: 'First day, YYYY-MM-DD (default: a year before `to`)' })
  @IsOptional()
  @CalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Last day, YYYY-MM-DD (default: today)' })
  @IsOptional()
  @CalendarDate()
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class AuditEventsQuery extends ReadQuery {
  @ApiPropertyOptional({ description: "The actor's subject or name" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'Event type; several separated by commas' })
  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'type must be event type names separated by commas' })
  type?: string;

  @ApiPropertyOptional({ description: 'Recorded at or after (ISO 8601)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}/, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Recorded at or before (ISO 8601)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}/, { message: 'to must be an ISO 8601 time' })
  to?: string;

  @ApiPropertyOptional({
    description: 'Events after this global position (the nextAfter of the previous page)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 20, description: 'Page size (json only)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['json', 'jsonl'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'jsonl'])
  format?: 'json' | 'jsonl';
}
