import 'reflect-metadata';
import { serve } from '@lib/config';
import { MceModule } from './mce.module';

serve('mce-consumer', { module: () => MceModule, port: (s) => s.http.mceConsumerPort });
