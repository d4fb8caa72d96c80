import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { APP_GUARD } from '@nestjs/core';
import { RolesGuard } from './roles.guard';
import { TokenAuthenticator } from './token-authenticator';

@Module({
  imports: [UsersModule],
  providers: [TokenAuthenticator, { provide: APP_GUARD, useClass: RolesGuard }],
  exports: [TokenAuthenticator],
})
export class AuthModule {}
