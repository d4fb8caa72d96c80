import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RolesGuard } from './roles.guard';
import { TokenAuthenticator } from './token-authenticator';

@Module({
  providers: [TokenAuthenticator, { provide: APP_GUARD, useClass: RolesGuard }],
  exports: [TokenAuthenticator],
})
export class AuthModule {}
