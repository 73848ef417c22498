import { Module } from '@nestjs/common';
import { ServerConfigController } from './server-config.controller';

/** `GET /config` (see server-config.ts). No dependencies: it answers even while Kafka, MySQL or OpenSearch is down. */
@Module({ controllers: [ServerConfigController] })
export class ServerConfigModule {}
