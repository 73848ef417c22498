import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runClustered } from '@lib/bootstrap';
import { loadSettingsOrExit, logLevels, requireAuthKey } from '@lib/config';
import { SchemaSetup } from '@lib/setup';
import { GmsModule } from './gms.module';
import { OPENAPI_JSON_PATH, SWAGGER_UI_PATH } from './swagger';
import { configureHttp } from './http/configure-http';

/** `--setup`: create the table, topics and indices once, then exit (0 when all exist). */
async function setupOnce(): Promise<void> {
  process.env.SETUP_ON_START = 'false';
  process.env.RUN_CONSUMERS = '';
  const settings = loadSettingsOrExit();
  const ctx = await NestFactory.createApplicationContext(GmsModule.register(settings), { logger: logLevels(settings.logLevel) });
  try {
    await ctx.get(SchemaSetup).runOnce();
    new Logger('setup').log('schema setup complete');
  } finally {
    await ctx.close();
  }
}

if (process.argv.includes('--setup')) {
  setupOnce().catch((err) => {
    new Logger('setup').error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
} else {
  // GMS_WORKERS processes on one port (one: no primary); `--setup` above stays one process.
  runClustered('gms', {
    module: (settings) => GmsModule.register(settings),
    port: (s) => s.http.port,
    check: requireAuthKey,
    configure: configureHttp,
    links: { 'Swagger UI': SWAGGER_UI_PATH, 'OpenAPI JSON': OPENAPI_JSON_PATH },
  });
}
