import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Settings } from './settings';
import { validateEnv } from './validate-env';

/** Validates the environment (through @nestjs/config) and offers it typed as `Settings` everywhere. */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnv, cache: true })],
  providers: [{ provide: Settings, useFactory: () => new Settings(validateEnv(process.env)) }],
  exports: [Settings],
})
export class SettingsModule {}
