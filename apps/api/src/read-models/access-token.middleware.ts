import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** The request as Nest middleware sees it: Node's, with the URL it arrived with kept for the logs. */
type RawRequest = Pick<IncomingMessage, 'headers'> & { originalUrl?: string; url?: string };

/**
 * An EventSource cannot set headers: on the live stream only, `?access_token=` stands in for the bearer
 * header (the AuthGuard then checks it as usual). The token is blanked from the URL that gets logged.
 */
@Injectable()
export class AccessTokenQueryMiddleware implements NestMiddleware {
  use(request: RawRequest, _response: unknown, next: () => void): void {
    const url = request.originalUrl ?? request.url ?? '';
    if (!url.includes('access_token=')) return next();
    const token = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('access_token');
    if (token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
    request.originalUrl = url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');
    next();
  }
}
