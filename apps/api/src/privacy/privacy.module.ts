import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG } from '@passerelle/config';
import { SqlClient } from '@passerelle/database';
import { EventStore } from '@passerelle/event-store';
import { HeadSigner, SigningKey, STORED_EVENT_STORE } from '@passerelle/privacy';
import { ApplicationModule } from '../application/application.module';
import { AuditExportController } from './export/audit-export.controller';
import { SQL_CLIENT } from '../infrastructure/infrastructure.module';
import { ForgetPersonHandler } from './forget-person/forget-person.command';
import { PeopleController } from './forget-person/people.controller';
import { HeadSigningSchedule } from './integrity/head-signing.schedule';
import { IntegrityCheck } from './integrity/integrity-check';
import { IntegrityController } from './integrity/integrity.controller';
import { loadSigningKey, SIGNING_KEY } from './integrity/signing-key';

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
    { provide: SIGNING_KEY, inject: [APP_CONFIG], useFactory: loadSigningKey },
    {
      provide: HeadSigner,
      inject: [STORED_EVENT_STORE, SQL_CLIENT, SIGNING_KEY],
      useFactory: (stored: EventStore, sql: SqlClient, key: SigningKey) => new HeadSigner(stored, sql, key),
    },
    HeadSigningSchedule,
    IntegrityCheck,
  ],
  exports: [HeadSigner, SIGNING_KEY, IntegrityCheck],
})
export class PrivacyModule {}
