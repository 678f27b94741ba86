import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '@passerelle/database';
import { EventStore } from '@passerelle/event-store';
import {
  IntegrityResult,
  SignedHeadCheck,
  SigningKeyRing,
  STORED_EVENT_STORE,
  trustedSigners,
  verifyIntegrity,
} from '@passerelle/privacy';
import { SQL_CLIENT } from '@passerelle/application';
import { SIGNING_KEY_RING } from './signing-key';

/**
 * The hash chains over the events as stored, and every signed head against the configured signing
 * keys and the keys they succeeded (signing_key_successions), each up to where it stopped signing.
 */
@Injectable()
export class IntegrityCheck {
  constructor(
    @Inject(STORED_EVENT_STORE) private readonly stored: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(SIGNING_KEY_RING) private readonly ring: SigningKeyRing,
  ) {}

  async run(): Promise<IntegrityResult> {
    return verifyIntegrity(this.stored, this.sql, await trustedSigners(this.sql, this.ring.publicKeys));
  }

  /** The signed heads only, checked along a pass over the log made by someone else (the audit's verify). */
  async signedHeads(): Promise<SignedHeadCheck> {
    return SignedHeadCheck.start(this.sql, await trustedSigners(this.sql, this.ring.publicKeys));
  }
}
