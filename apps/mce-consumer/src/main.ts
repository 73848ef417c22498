import 'reflect-metadata';
import { serve } from '@lib/bootstrap';
import { MceModule } from './mce.module';

serve('mce-consumer', { module: () => MceModule, port: (s) => s.http.mceConsumerPort });
