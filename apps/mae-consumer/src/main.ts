import 'reflect-metadata';
import { serve } from '@lib/bootstrap';
import { MaeModule } from './mae.module';

serve('mae-consumer', { module: () => MaeModule, port: (s) => s.http.maeConsumerPort });
