import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@lib/common';
import { Metrics } from './metrics';

@ApiTags('metrics')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text format 0.0.4).' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Every metric of this process.' })
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    // Written as is: express's send() would reorder the content type's parameters.
    res.status(200).setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
  }
}
