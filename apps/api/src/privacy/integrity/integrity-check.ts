import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '@passerelle/database';
import { EventStore } from '@passerelle/event-store';
import { IntegrityResult, SigningKey, STORED_EVENT_STORE, verifyIntegrity } from '@passerelle/privacy';
import { SQL_CLIENT } from '../../infrastructure/infrastructure.module';
import { SIGNING_KEY } from './signing-key';

/** The hash chains over the events as stored, and every signed head against the configured signing key. */
@Injectable()
export class IntegrityCheck {
  constructor(
    @Inject(STORED_EVENT_STORE) private readonly stored: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  run(): Promise<IntegrityResult> {
    return verifyIntegrity(this.stored, this.sql, { trustedPublicKeys: [this.key.publicKeyText] });
  }
}
