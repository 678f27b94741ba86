import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReadModelsModule } from '../read-models/read-models.module';
import { DevTokenController } from './dev-token.controller';

/** dist/dashboard, whether the API runs from its sources (tests, tsx) or from dist/ (npm start, the image). */
export function dashboardRoot(): string {
  const candidates = [
    resolve(__dirname, '../../../../dist/dashboard'),
    resolve(__dirname, '../../../dashboard'),
    join(process.cwd(), 'dist/dashboard'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/** The dashboard's built assets at `/` (the API, health and metrics keep their own routes), and the dev sign-in. */
@Module({
  imports: [
    ReadModelsModule,
    ServeStaticModule.forRoot({
      rootPath: dashboardRoot(),
      exclude: ['/api{/*path}', '/health{/*path}', '/metrics{/*path}'],
      serveStaticOptions: {
        // Hashed file names under assets/ never change; index.html is looked at again every time.
        setHeaders: (response, path) =>
          response.setHeader(
            'Cache-Control',
            /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
          ),
      },
    }),
  ],
  controllers: [DevTokenController],
})
export class DashboardModule {}
