import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { SqlClient } from '@passerelle/database';
import { EventStore } from '@passerelle/event-store';
import {
  HeadSigner,
  openSigningKeys,
  SigningKeyRing,
  sqlLastHashesAt,
  STORED_EVENT_STORE,
} from '@passerelle/privacy';
import { ApplicationModule, ForgetPersonHandler, MASTER_KEY, SQL_CLIENT } from '@passerelle/application';
import { AuditExportController } from './export/audit-export.controller';
import { PeopleController } from './forget-person/people.controller';
import { HeadSigningSchedule } from './integrity/head-signing.schedule';
import { IntegrityCheck } from './integrity/integrity-check';
import { IntegrityController } from './integrity/integrity.controller';
import { loadSigningKeys, SIGNING_KEY, SIGNING_KEY_RING } from './integrity/signing-key';
import { EmbeddedKeyRotation } from './key-rotation/embedded-key-rotation';

/**
 * "Forget this person" (admin) and tamper evidence: the signed heads of the log, the integrity
 * report and the export auditors verify offline. The encryption itself sits in the event store
 * (InfrastructureModule, personalDataProviders).
 */
@Module({
  imports: [CqrsModule, ApplicationModule],
  controllers: [PeopleController, IntegrityController, AuditExportController],
  providers: [
    ForgetPersonHandler,
    { provide: SIGNING_KEY_RING, inject: [APP_CONFIG], useFactory: loadSigningKeys },
    { provide: SIGNING_KEY, inject: [SIGNING_KEY_RING], useFactory: (ring: SigningKeyRing) => ring.current },
    {
      provide: HeadSigner,
      // MASTER_KEY first: the privacy tables are migrated by then.
      inject: [STORED_EVENT_STORE, SQL_CLIENT, SIGNING_KEY_RING, APP_CONFIG, MASTER_KEY],
      useFactory: async (stored: EventStore, sql: SqlClient, ring: SigningKeyRing, config: AppConfig) => {
        await openSigningKeys(sql, ring);
        // A log in SQL: the first signature after a start reads from the last signed head, not from
        // the start of the log (on EventStoreDB the events are not in this database).
        const inSql = config.eventstoreConnectionString === undefined;
        return new HeadSigner(stored, sql, ring, undefined, inSql ? sqlLastHashesAt(sql) : undefined);
      },
    },
    HeadSigningSchedule,
    IntegrityCheck,
    EmbeddedKeyRotation,
  ],
  exports: [HeadSigner, SIGNING_KEY, SIGNING_KEY_RING, IntegrityCheck],
})
export class PrivacyModule {}
