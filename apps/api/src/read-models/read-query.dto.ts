import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { AXES, Language, LANGUAGES, PARTNERSHIP_STAGES, SECTORS } from '@passerelle/domain';
import { CalendarDay, Instant, MAX_WHOLE_NUMBER, WholeNumber } from '../http/parameters';
import { MIN_POSITION_DESCRIPTION } from './min-position.interceptor';

const PARTY_REGION =
  "Partnerships with a party from this region (as registered, any case), e.g. Provence-Alpes-Côte d'Azur";

/** Every read accepts `minPosition` (read your writes; see MinPositionInterceptor). */
export class ReadQuery {
  @WholeNumber({
    min: 0,
    max: MAX_WHOLE_NUMBER,
    description: MIN_POSITION_DESCRIPTION,
  })
  minPosition?: number;
}

export class PagedQuery extends ReadQuery {
  @WholeNumber({ min: 1, max: 200, default: 20, description: 'Page size' })
  limit?: number;

  @WholeNumber({ min: 0, max: MAX_WHOLE_NUMBER, default: 0, description: 'Items to skip' })
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

  @ApiPropertyOptional({ description: PARTY_REGION, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;

  @ApiPropertyOptional({ description: 'Words in the title', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    description: 'The nextCursor of the previous page (instead of offset)',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class ListOrganizationsQuery extends PagedQuery {
  @ApiPropertyOptional({ example: 'FR', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country?: string;

  @ApiPropertyOptional({ maxLength: 40, example: 'pole' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ description: 'Words in the name', maxLength: 200 })
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

  @ApiPropertyOptional({ description: PARTY_REGION, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;
}

/** The pipeline's filters, and the period its conversion and medians count in (business dates). */
export class PipelineQuery extends DashboardFilterQuery {
  @CalendarDay('First business day of the period, YYYY-MM-DD (default: open)')
  from?: string;

  @CalendarDay('Last business day of the period, YYYY-MM-DD (default: open)')
  to?: string;
}

export class ActivityQuery extends ReadQuery {
  @WholeNumber({ min: 1, max: 200, default: 20, description: 'Page size' })
  limit?: number;

  @WholeNumber({
    min: 1,
    max: MAX_WHOLE_NUMBER,
    description: 'Events before this global position (the nextBefore of the previous page)',
  })
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
  @CalendarDay('First day, YYYY-MM-DD (default: a year before `to`)')
  from?: string;

  @CalendarDay('Last day, YYYY-MM-DD (default: today)')
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class AuditEventsQuery extends ReadQuery {
  @ApiPropertyOptional({ description: "The actor's subject or name", maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({
    description: 'Event type; several separated by commas',
    pattern: '^[A-Za-z]+(,[A-Za-z]+)*$',
    maxLength: 2000,
  })
  @IsOptional()
  @MaxLength(2000)
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'type must be event type names separated by commas' })
  type?: string;

  @Instant('Recorded at or after')
  from?: string;

  @Instant('Recorded at or before')
  to?: string;

  @WholeNumber({
    min: 0,
    max: MAX_WHOLE_NUMBER,
    description: 'Events after this global position (the nextAfter of the previous page)',
  })
  after?: number;

  @WholeNumber({ min: 1, max: 1000, default: 20, description: 'Page size (json only)' })
  limit?: number;

  @ApiPropertyOptional({ enum: ['json', 'jsonl'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'jsonl'])
  format?: 'json' | 'jsonl';
}
