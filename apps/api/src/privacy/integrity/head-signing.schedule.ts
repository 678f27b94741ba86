import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { HeadSigner, SignedHead } from '@passerelle/privacy';

/** Signs the head of the log every SIGNED_HEAD_INTERVAL_SECONDS (once soon after start, then on the interval). */
@Injectable()
export class HeadSigningSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Integrity');
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly signer: HeadSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.signedHeadIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => void this.signNow(), seconds * 1000);
    this.timer.unref();
    void this.signNow();
  }

  /** Signs now; a failure is logged and retried at the next tick. */
  signNow(): Promise<SignedHead | null> {
    const signing = this.signer.signHead().catch((error: unknown) => {
      this.logger.error(
        `Signing the head of the log failed: ${error instanceof Error ? error.message : error}`,
      );
      return null;
    });
    this.inFlight = signing;
    return signing;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }
}
