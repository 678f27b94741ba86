import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * An EventSource cannot set headers: on the live stream only, `?access_token=` stands in for the bearer
 * header (the AuthGuard then checks it as usual). The token is blanked from the URL that gets logged.
 */
@Injectable()
export class AccessTokenQueryMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const token = request.query?.access_token;
    if (typeof token === 'string' && token !== '' && !request.headers.authorization) {
      request.headers.authorization = `Bearer ${token}`;
    }
    if (request.originalUrl.includes('access_token=')) {
      request.originalUrl = request.originalUrl.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');
    }
    next();
  }
}
