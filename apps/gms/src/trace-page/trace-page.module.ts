import { Module } from '@nestjs/common';
import { TracePageController } from './trace-page.controller';

@Module({ controllers: [TracePageController] })
export class TracePageModule {}
