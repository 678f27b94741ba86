import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Answer } from '../http/answer';
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
  async scrape(@Res() response: Answer): Promise<void> {
    const text = await this.metrics.registry.metrics();
    response
      .status(200)
      .header('Content-Type', this.metrics.registry.contentType)
      .header('Cache-Control', 'no-store')
      .send(text);
  }
}
