import { Module } from '@nestjs/common';
import { OtlpController } from './otlp.controller';

/** POST /v1/traces: OTLP JSON spans, stored with the service's own. */
@Module({ controllers: [OtlpController] })
export class OtlpModule {}
