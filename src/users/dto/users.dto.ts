import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES } from '../../auth/roles';

export class LoginDto {
  @IsString() @MaxLength(254)
  email: string;

  @IsString() @MaxLength(200)
  password: string;
}

export class ChangePasswordDto {
  @IsString() @MaxLength(200)
  currentPassword: string;

  @IsString() @Length(12, 200, { message: 'Choose a new password of at least 12 characters' })
  newPassword: string;
}

export class CreateTokenDto {
  @IsString() @Length(1, 100)
  name: string;
}

export class AddUserDto {
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email: string;

  @IsIn(ROLES as unknown as string[], { message: `role must be one of ${ROLES.join(', ')}` })
  role: string;

  @IsOptional() @Matches(/^[A-Z0-9]{3,5}$/, { message: 'trust must be an ODS trust code such as RXX' })
  trust?: string;
}
