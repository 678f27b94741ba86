import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { CommandContext } from '../application/command-context';
import { CLOCK, Clock } from '../application/clock';
import { canonicalJson, deterministicUuid, sha256 } from '../application/ids';
import { RegisterOrganizationCommand } from '../organizations/register-organization.command';
import { PartnershipCommand } from '../partnerships/partnership-command';
import { DEMO_ORGANIZATIONS, demoId, emailOf } from './demo-scenario';

const DEMO_ACTOR = { sub: 'demo-loader', name: 'Demo scenario', roles: ['admin'] };
const DAY = 24 * 60 * 60 * 1000;

/** Loads the demo through the command bus on an empty embedded store (or when DEMO_DATA=true). */
@Injectable()
export class DemoLoader {
  readonly logger = new Logger('Passerelle');

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async loadIfWanted(): Promise<boolean> {
    const wanted = this.config.demoData ?? this.config.embedded;
    if (!wanted) return false;
    if (this.config.demoData === undefined && (await this.store.headPosition()) > 0) return false;
    await this.load();
    return true;
  }

  private context(step: string, body: unknown): CommandContext {
    return {
      actor: DEMO_ACTOR,
      commandId: deterministicUuid('demo-command', step),
      idempotencyKey: `demo:${step}`,
      requestHash: sha256(canonicalJson({ step, body })),
      correlationId: deterministicUuid('demo-correlation'),
    };
  }

  private async partnership<T extends PartnershipCommand['type']>(
    step: string,
    partnershipId: string,
    type: T,
    data: PartnershipCommand<T>['data'],
  ): Promise<void> {
    await this.commandBus.execute(
      new PartnershipCommand(partnershipId, type, data, this.context(step, data)),
    );
  }

  async load(): Promise<void> {
    for (const org of DEMO_ORGANIZATIONS) {
      const { key, ...body } = org;
      await this.commandBus.execute(
        new RegisterOrganizationCommand(demoId(key), body, this.context(`organization:${key}`, body)),
      );
    }
    const now = this.clock.now().getTime();
    const at = (ms: number) => new Date(ms).toISOString();

    // 2 March 2016: GO-Biz and the WCE Alliance introduce the initiative to regions, SATTs and clusters.
    const initiative = demoId('partnership:initiative');
    const infoMeeting = demoId('meeting:2016-03-02');
    const initiativeParties = [
      'gobiz',
      'wce',
      'paca',
      'aura',
      'nouvelle-aquitaine',
      'satt',
      'eurobiomed',
      'pole-mer',
      'tes',
      'sonumerique',
    ];
    await this.partnership('initiative:propose', initiative, 'ProposePartnership', {
      title: 'California–France Innovation Clusters',
      description:
        'Bilateral collaboration between California Innovation Hubs and French competitiveness clusters, bottom-up: cluster-to-cluster agreements and tangible projects, fed back to GO-Biz and French diplomacy.',
      parties: initiativeParties.map(demoId),
      sectors: ['ict_digital', 'biotech_health', 'blue_economy', 'digital_media_xr'],
      axes: [
        'higher_education',
        'technology_transfer',
        'professional_development',
        'entrepreneurship_incubation',
        'business_development',
        'investment',
      ],
      on: '2016-03-02',
    });
    await this.partnership('initiative:meeting', initiative, 'ScheduleIntroductionMeeting', {
      meetingId: infoMeeting,
      startsAt: '2016-03-02T17:00:00Z',
      endsAt: '2016-03-02T19:00:00Z',
      timezone: 'America/Los_Angeles',
      location: 'GO-Biz, Sacramento, and by video',
      agenda: 'GO-Biz & WCE Alliance information meeting: an international extension of California iHubs',
      attendees: initiativeParties.map(emailOf),
    });
    await this.partnership('initiative:outcome', initiative, 'RecordIntroductionMeetingOutcome', {
      meetingId: infoMeeting,
      heldAt: '2016-03-02T17:00:00Z',
      outcome: 'interested',
      minutes:
        'All parties expressed high interest in moving forward with a platform extending California iHubs internationally.',
    });

    // Blue economy: PACA clusters and San Diego, up to the memorandum of 15 February 2017.
    const blue = demoId('partnership:blue-economy');
    const blueMeeting = demoId('meeting:blue-economy');
    const blueAgreement = demoId('agreement:blue-economy');
    const blueProject = demoId('project:blue-tech-alliance');
    const blueMou = demoId('mou:san-diego-paca');
    await this.partnership('blue:propose', blue, 'ProposePartnership', {
      title: 'Blue economy: PACA clusters and San Diego',
      description: 'Marine industries and ocean technology between Provence-Alpes-Côte d’Azur and San Diego.',
      parties: ['pole-mer', 'paca', 'san-diego', 'satt'].map(demoId),
      sectors: ['blue_economy'],
      axes: ['technology_transfer', 'business_development', 'investment'],
      on: '2016-05-10',
    });
    await this.partnership('blue:meeting', blue, 'ScheduleIntroductionMeeting', {
      meetingId: blueMeeting,
      startsAt: '2016-05-10T16:00:00Z',
      endsAt: '2016-05-10T17:30:00Z',
      timezone: 'America/Los_Angeles',
      location: 'San Diego',
      attendees: ['pole-mer', 'paca', 'san-diego'].map(emailOf),
    });
    await this.partnership('blue:outcome', blue, 'RecordIntroductionMeetingOutcome', {
      meetingId: blueMeeting,
      heldAt: '2016-05-10T16:00:00Z',
      outcome: 'interested',
    });
    await this.partnership('blue:agreement', blue, 'DraftAgreement', {
      agreementId: blueAgreement,
      title: 'Blue Tech cluster cooperation agreement',
      scope: 'Exchange of delegations, joint presence at ocean technology fairs, start-up soft landing.',
      termMonths: 120,
      signatories: ['pole-mer', 'san-diego'].map(demoId),
      on: '2016-12-20',
    });
    await this.partnership('blue:sign-1', blue, 'SignAgreement', {
      agreementId: blueAgreement,
      organizationId: demoId('pole-mer'),
      signerName: 'Président, Pôle Mer Méditerranée',
      signedAt: '2016-12-20',
    });
    await this.partnership('blue:sign-2', blue, 'SignAgreement', {
      agreementId: blueAgreement,
      organizationId: demoId('san-diego'),
      signerName: 'Director of economic development, City of San Diego',
      signedAt: '2017-01-05',
    });
    await this.partnership('blue:project', blue, 'LaunchJointProject', {
      projectId: blueProject,
      title: 'Blue Tech Alliance: PACA delegation at Oceanology International San Diego',
      startsOn: '2017-01-09',
      budget: { amount: 150000, currency: 'EUR' },
      fundingSources: ['Région Sud', 'City of San Diego'],
      leads: ['pole-mer', 'san-diego'].map(demoId),
      milestones: [
        {
          milestoneId: demoId('milestone:oceanology'),
          title: 'PACA delegation at Oceanology International',
          dueOn: '2017-02-16',
        },
        {
          milestoneId: demoId('milestone:north-america'),
          title: 'Blue Tech Alliance extended to North America',
          dueOn: '2018-12-31',
        },
      ],
    });
    await this.partnership('blue:milestone', blue, 'ReachJointProjectMilestone', {
      projectId: blueProject,
      milestoneId: demoId('milestone:oceanology'),
      reachedOn: '2017-02-16',
    });
    await this.partnership('blue:mou', blue, 'DraftMou', {
      mouId: blueMou,
      title: 'Memorandum between the City of San Diego and the Provence-Alpes-Côte d’Azur region',
      scope: 'First step of a Blue Tech Alliance between American and European clusters.',
      signatories: ['san-diego', 'paca'].map(demoId),
      on: '2017-02-15',
    });
    await this.partnership('blue:mou-sign-1', blue, 'SignMou', {
      mouId: blueMou,
      organizationId: demoId('san-diego'),
      signerName: 'Mayor of San Diego',
      signedAt: '2017-02-15',
    });
    await this.partnership('blue:mou-sign-2', blue, 'SignMou', {
      mouId: blueMou,
      organizationId: demoId('paca'),
      signerName: 'Vice-President for international relations, Région PACA',
      signedAt: '2017-02-15',
    });

    // Biotech: Eurobiomed with San Diego's life-science community, at the agreement stage.
    const bio = demoId('partnership:biotech');
    const bioMeeting = demoId('meeting:biotech');
    const bioAgreement = demoId('agreement:biotech');
    await this.partnership('bio:propose', bio, 'ProposePartnership', {
      title: 'Biotech: Eurobiomed and San Diego life sciences',
      parties: ['eurobiomed', 'biocom', 'satt'].map(demoId),
      sectors: ['biotech_health'],
      axes: ['technology_transfer', 'entrepreneurship_incubation', 'business_development'],
      on: '2016-10-18',
    });
    await this.partnership('bio:meeting', bio, 'ScheduleIntroductionMeeting', {
      meetingId: bioMeeting,
      startsAt: '2016-10-18T16:00:00Z',
      timezone: 'America/Los_Angeles',
      location: 'Biocom, San Diego',
      attendees: ['eurobiomed', 'biocom'].map(emailOf),
    });
    await this.partnership('bio:outcome', bio, 'RecordIntroductionMeetingOutcome', {
      meetingId: bioMeeting,
      heldAt: '2016-10-18T16:00:00Z',
      outcome: 'interested',
    });
    await this.partnership('bio:agreement', bio, 'DraftAgreement', {
      agreementId: bioAgreement,
      title: 'Eurobiomed–Biocom soft-landing agreement',
      termMonths: 36,
      signatories: ['eurobiomed', 'biocom'].map(demoId),
    });
    await this.partnership('bio:sign-1', bio, 'SignAgreement', {
      agreementId: bioAgreement,
      organizationId: demoId('eurobiomed'),
      signerName: 'Directeur général, Eurobiomed',
    });

    // Digital media and XR: freshly introduced, with a follow-up meeting coming up.
    const xr = demoId('partnership:digital-media');
    const xrFirst = demoId('meeting:xr-first');
    const heldAt = at(Math.floor((now - 12 * DAY) / 3_600_000) * 3_600_000);
    await this.partnership('xr:propose', xr, 'ProposePartnership', {
      title: 'Digital media and XR: TES, SoNumérique and the WCE Alliance',
      parties: ['tes', 'sonumerique', 'wce'].map(demoId),
      sectors: ['digital_media_xr', 'secure_transactions', 'smart_territories'],
      axes: ['entrepreneurship_incubation', 'business_development'],
      on: heldAt.slice(0, 10),
    });
    await this.partnership('xr:meeting', xr, 'ScheduleIntroductionMeeting', {
      meetingId: xrFirst,
      startsAt: heldAt,
      timezone: 'Europe/Paris',
      videoUrl: 'https://meet.example.org/tes-sonumerique-wce',
      attendees: ['tes', 'sonumerique', 'wce'].map(emailOf),
    });
    await this.partnership('xr:outcome', xr, 'RecordIntroductionMeetingOutcome', {
      meetingId: xrFirst,
      heldAt,
      outcome: 'interested',
    });
    const nextWeek = Math.floor((now + 9 * DAY) / 3_600_000) * 3_600_000;
    await this.partnership('xr:follow-up', xr, 'ScheduleIntroductionMeeting', {
      meetingId: demoId('meeting:xr-follow-up'),
      startsAt: at(nextWeek),
      endsAt: at(nextWeek + 90 * 60_000),
      timezone: 'Europe/Paris',
      videoUrl: 'https://meet.example.org/tes-sonumerique-wce',
      agenda: 'Joint XR pilot for smart territories: scope and funding',
      attendees: ['tes', 'sonumerique', 'wce'].map(emailOf),
    });
    this.logger.log(`Demo data loaded: ${DEMO_ORGANIZATIONS.length} organisations, 4 partnerships`);
  }
}
