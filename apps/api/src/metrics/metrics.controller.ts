import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles';
import { Metrics } from './metrics';
import { ReadSide } from '../read-models/read-interceptors';

/**
 * Prometheus scrape endpoint, unprefixed and public like the health checks: it holds counts, positions
 * and timings, no ids and no personal data. Keep it off the public internet at the proxy if that matters.
 */
@ApiTags('operations')
@Controller('metrics')
@Public()
@ReadSide()
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4' })
  @ApiOperation({ summary: 'Prometheus metrics' })
  async scrape(@Res() response: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    // Written as is: Express's send() would reorder the media type's parameters.
    response.status(200);
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    response.setHeader('Cache-Control', 'no-store');
    response.end(text);
  }
}
