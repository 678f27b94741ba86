import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ORGANIZATION_KINDS, SECTORS } from '@passerelle/domain';

export class ContactDto {
  @ApiProperty({ example: 'Partnerships desk' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'partnerships@example.org' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiPropertyOptional({ example: 'International affairs' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  role?: string;
  @ApiProperty({ enum: ['en', 'fr'] }) @IsIn(['en', 'fr']) language!: 'en' | 'fr';
}

export class RegisterOrganizationDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() id?: string;
  @ApiProperty({ example: 'Pôle Mer Méditerranée' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: ORGANIZATION_KINDS }) @IsIn([...ORGANIZATION_KINDS]) kind!: string;
  @ApiProperty({ example: 'FR', description: 'ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as US or FR' })
  country!: string;
  @ApiProperty({ example: "Provence-Alpes-Côte d'Azur" }) @IsString() @Length(1, 200) region!: string;
  @ApiProperty({ enum: SECTORS, isArray: true })
  @IsArray()
  @ArrayMaxSize(SECTORS.length)
  @ArrayUnique()
  @IsIn([...SECTORS], { each: true })
  sectors!: string[];
  @ApiPropertyOptional({ example: 'https://www.example.org' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(500)
  website?: string;
  @ApiProperty({ type: [ContactDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts!: ContactDto[];
}
