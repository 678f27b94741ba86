import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** Whom to forget: a contact or attendee by address, or a signer by name (exactly one of the two). */
export class ForgetPersonDto {
  @ApiPropertyOptional({ example: 'bruno@polemer.example.fr', description: 'a contact or attendee' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({
    example: 'Bruno Martin',
    description: 'a signer of agreements or MOUs, as signed (case and spacing do not matter)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  signerName?: string;
}
