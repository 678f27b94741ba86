import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { AXES, SECTORS } from '@passerelle/domain';

/** An ISO 8601 instant with a time zone, e.g. 2026-03-02T17:00:00Z. */
const IsInstant = () =>
  applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(/T.*(Z|[+-]\d{2}:?\d{2})$/, { message: '$property must include a time and a time zone offset' }),
  );
/** A calendar date YYYY-MM-DD. */
const IsCalendarDate = () =>
  applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date YYYY-MM-DD' }),
    IsISO8601({ strict: true }),
  );
/** The business date of a step without a date of its own: when it happened, today when absent. */
const BusinessDate = () =>
  applyDecorators(
    ApiPropertyOptional({
      example: '2017-01-12',
      description:
        'Business date (YYYY-MM-DD): the day the step happened, for history entered after the fact; today when absent. ' +
        'Never in the future, never before the facts the step builds on (409).',
    }),
    IsOptional(),
    IsCalendarDate(),
  );
const Text = (max: number) => applyDecorators(IsString(), Length(1, max));
const OptionalText = (max: number) => applyDecorators(IsOptional(), IsString(), MaxLength(max));
const OrgIds = (min: number) =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(min),
    ArrayMaxSize(50),
    ArrayUnique(),
    IsUUID('all', { each: true }),
  );
const Emails = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(200),
    ArrayUnique(),
    IsEmail({}, { each: true }),
    MaxLength(254, { each: true }),
  );

export class ProposePartnershipDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() id?: string;
  @ApiProperty({ example: 'Blue economy: PACA clusters and San Diego' }) @Text(300) title!: string;
  @ApiPropertyOptional() @OptionalText(5000) description?: string;
  @ApiProperty({ type: [String], format: 'uuid' }) @OrgIds(2) parties!: string[];
  @ApiProperty({ enum: SECTORS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn([...SECTORS], { each: true })
  sectors!: string[];
  @ApiProperty({ enum: AXES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn([...AXES], { each: true })
  axes!: string[];
  @BusinessDate() on?: string;
}

export class ScheduleMeetingDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() meetingId?: string;
  @ApiProperty({ example: '2026-12-02T17:00:00Z' }) @IsInstant() startsAt!: string;
  @ApiPropertyOptional({ example: '2026-12-02T18:30:00Z' }) @IsOptional() @IsInstant() endsAt?: string;
  @ApiPropertyOptional({ example: 'America/Los_Angeles' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, {
    message: 'timezone must be an IANA zone such as Europe/Paris',
  })
  @MaxLength(64)
  timezone?: string;
  @ApiPropertyOptional() @OptionalText(500) location?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  videoUrl?: string;
  @ApiPropertyOptional() @OptionalText(5000) agenda?: string;
  @ApiProperty({ type: [String], example: ['partnerships@example.org'] })
  @Emails()
  @ArrayMinSize(1)
  attendees!: string[];
}

export class RescheduleMeetingDto {
  @ApiProperty() @IsInstant() startsAt!: string;
  @ApiPropertyOptional() @IsOptional() @IsInstant() endsAt?: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'Funding cycle postponed' }) @Text(2000) reason!: string;
  @BusinessDate() on?: string;
}

export class ResumeDto {
  @BusinessDate() on?: string;
}

export class RecordMeetingOutcomeDto {
  @ApiProperty({
    description: 'When the meeting was held: its business date; not before it started, not in the future',
  })
  @IsInstant()
  heldAt!: string;
  @ApiProperty({ enum: ['interested', 'follow_up', 'not_interested'] })
  @IsIn(['interested', 'follow_up', 'not_interested'])
  outcome!: 'interested' | 'follow_up' | 'not_interested';
  @ApiPropertyOptional() @OptionalText(20000) minutes?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @Emails() attendeesPresent?: string[];
}

export class DraftAgreementDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() agreementId?: string;
  @ApiProperty() @Text(300) title!: string;
  @ApiPropertyOptional() @OptionalText(5000) scope?: string;
  @ApiProperty({ minimum: 1, maximum: 120 }) @IsInt() @Min(1) @Max(120) termMonths!: number;
  @ApiProperty({ type: [String], format: 'uuid' }) @OrgIds(2) signatories!: string[];
  @BusinessDate() on?: string;
}

export class AmendAgreementDto {
  @ApiProperty() @Text(2000) reason!: string;
  @ApiPropertyOptional() @IsOptional() @Text(300) title?: string;
  @ApiPropertyOptional() @OptionalText(5000) scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(120) termMonths?: number;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @OrgIds(2) signatories?: string[];
  @BusinessDate() on?: string;
}

export class SignDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() organizationId!: string;
  @ApiProperty({ example: 'Director of international affairs' }) @Text(200) signerName!: string;
  @ApiPropertyOptional({
    example: '2017-02-15',
    description:
      'Business date of the signature; not before the terms it signs, not in the future; today when absent',
  })
  @IsOptional()
  @IsCalendarDate()
  signedAt?: string;
}

/**
 * At most `places` decimals, in any notation: class-validator's own `maxDecimalPlaces` splits the number's
 * text on '.', and throws on one written with an exponent and no point (3e-323), which answered 500.
 */
function MaxDecimalPlaces(places: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxDecimalPlaces',
    constraints: [places],
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(places)) === value,
      defaultMessage: (args) => `${args?.property ?? 'value'} must have at most ${places} decimal places`,
    },
  });
}

export class BudgetDto {
  @ApiProperty({ example: 250000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(2)
  @IsPositive()
  @Max(1e12)
  amount!: number;
  @ApiProperty({ example: 'EUR' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR or USD' })
  currency!: string;
}

export class MilestoneDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() milestoneId?: string;
  @ApiProperty() @Text(300) title!: string;
  @ApiProperty({ example: '2027-06-30' }) @IsCalendarDate() dueOn!: string;
}

export class LaunchProjectDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() projectId?: string;
  @ApiProperty() @Text(300) title!: string;
  @ApiPropertyOptional() @OptionalText(5000) description?: string;
  @ApiProperty({
    example: '2017-03-01',
    description:
      'Business date: an agreement must be in force that day (executed on or before it, term not ended by it)',
  })
  @IsCalendarDate()
  startsOn!: string;
  @ApiProperty({ type: BudgetDto }) @ValidateNested() @Type(() => BudgetDto) budget!: BudgetDto;
  @ApiProperty({ type: [String], example: ['Région Sud', 'City of San Diego'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  fundingSources!: string[];
  @ApiProperty({ type: [String], format: 'uuid' }) @OrgIds(1) leads!: string[];
  @ApiProperty({ type: [MilestoneDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MilestoneDto)
  milestones!: MilestoneDto[];
}

export class ReachMilestoneDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() milestoneId!: string;
  @ApiProperty() @IsCalendarDate() reachedOn!: string;
}

export class CompleteProjectDto {
  @ApiProperty() @IsCalendarDate() completedOn!: string;
  @ApiPropertyOptional() @OptionalText(5000) summary?: string;
}

export class DraftMouDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() mouId?: string;
  @ApiProperty() @Text(300) title!: string;
  @ApiPropertyOptional() @OptionalText(5000) scope?: string;
  @ApiProperty({ type: [String], format: 'uuid' }) @OrgIds(2) signatories!: string[];
  @BusinessDate() on?: string;
}
