import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { errorMessage, Public } from '@lib/common';
import { Metrics } from './metrics';

/** The service's JSON error shape (the gms's ApiError), which this library cannot import. */
const METRICS_ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: { statusCode: { type: 'integer' }, message: { type: 'string' }, error: { type: 'string' } },
};

@ApiTags('metrics')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text format 0.0.4).' })
  @ApiResponse({
    status: 200,
    description: 'Every metric of this process (of every worker, when the service runs as several).',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 503,
    description: 'Running as several workers, the aggregate could not be collected (a worker did not answer).',
    content: { 'application/json': { schema: METRICS_ERROR_SCHEMA } },
  })
  async scrape(@Res() res: Response): Promise<void> {
    let text: string;
    try {
      text = await this.metrics.text();
    } catch (err) {
      // A partial aggregate would show counters going backwards: better no sample than a wrong one.
      res.status(503).json({ statusCode: 503, message: `metrics of the workers could not be collected: ${errorMessage(err)}`, error: 'Service Unavailable' });
      return;
    }
    // Written as is: express's send() would reorder the content type's parameters.
    res.status(200).setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
  }
}
