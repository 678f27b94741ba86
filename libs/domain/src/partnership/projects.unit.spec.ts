import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  AGREEMENT_ID,
  command,
  event,
  FR_COMPANY,
  histories,
  metadata,
  IHUB,
  MILESTONE_1,
  MILESTONE_2,
  POLE,
  PROJECT_ID,
  PROJECT_STARTS_ON,
  projectLaunched,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

const launch = (overrides: Partial<Parameters<typeof command<'LaunchJointProject'>>[1]> = {}) =>
  command('LaunchJointProject', {
    projectId: PROJECT_ID,
    title: 'Underwater drone testbed',
    startsOn: PROJECT_STARTS_ON,
    budget: { amount: 250000, currency: 'EUR' },
    fundingSources: ['Région Sud', 'GO-Biz CalCompetes'],
    leads: [IHUB.id, POLE.id],
    milestones: [
      { milestoneId: MILESTONE_1, title: 'Testbed specification', dueOn: '2025-06-30' },
      { milestoneId: MILESTONE_2, title: 'First joint sea trial', dueOn: '2025-12-15' },
    ],
    ...overrides,
  });

const expired = () =>
  event('AgreementExpired', {
    agreementId: AGREEMENT_ID,
    title: 'Cluster cooperation agreement',
    expiresOn: '2027-03-05',
  });

const reach = (milestoneId: string, reachedOn = '2025-03-10') =>
  command('ReachJointProjectMilestone', { projectId: PROJECT_ID, milestoneId, reachedOn });

const milestoneReached = () =>
  event('JointProjectMilestoneReached', {
    projectId: PROJECT_ID,
    milestoneId: MILESTONE_1,
    title: 'Testbed specification',
    dueOn: '2025-06-30',
    reachedOn: '2025-03-10',
  });

const complete = (completedOn = '2025-03-10', summary?: string) =>
  command('CompleteJointProject', { projectId: PROJECT_ID, completedOn, summary });

const completed = () =>
  event('JointProjectCompleted', {
    projectId: PROJECT_ID,
    title: 'Underwater drone testbed',
    completedOn: '2025-03-10',
    summary: 'Testbed delivered',
  });

describe('LaunchJointProject', () => {
  it('launches a project resting on the executed agreement', () => {
    given(histories.agreementExecuted()).when(launch()).then([projectLaunched()]);
  });

  it('moves the partnership to project_active', () => {
    expect((fold(partnershipDecider, histories.projectActive()) as Partnership).stage).toBe('project_active');
  });

  it('refuses a project while no agreement is executed', () => {
    given(histories.agreementDrafted()).when(launch()).thenThrows('project.no_executed_agreement');
  });

  it('refuses a project starting once the only executed agreement has expired', () => {
    given([...histories.agreementExecuted(), expired()])
      .when({ ...launch({ startsOn: '2027-03-05' }), metadata: metadata(new Date('2027-04-01T09:00:00Z')) })
      .thenThrows('project.agreement_ended', { startsOn: '2027-03-05' });
  });

  it('refuses a budget that is not positive', () => {
    given(histories.agreementExecuted())
      .when(launch({ budget: { amount: 0, currency: 'EUR' } }))
      .thenThrows('project.invalid_budget');
  });

  it('refuses a currency that is not an ISO 4217 code', () => {
    given(histories.agreementExecuted())
      .when(launch({ budget: { amount: 1000, currency: 'euros' } }))
      .thenThrows('project.invalid_currency');
  });

  it('refuses a lead that is not a party', () => {
    given(histories.agreementExecuted())
      .when(launch({ leads: [IHUB.id, FR_COMPANY.id] }))
      .thenThrows('project.lead_not_party', { organizationIds: [FR_COMPANY.id] });
  });

  it('refuses the same milestone id twice', () => {
    given(histories.agreementExecuted())
      .when(
        launch({
          milestones: [
            { milestoneId: MILESTONE_1, title: 'Specification', dueOn: '2025-06-30' },
            { milestoneId: MILESTONE_1, title: 'Sea trial', dueOn: '2025-12-15' },
          ],
        }),
      )
      .thenThrows('project.duplicate_milestone');
  });

  it('requires funding sources, leads and milestones', () => {
    given(histories.agreementExecuted())
      .when(launch({ fundingSources: [] }))
      .thenThrows('validation.required', { field: 'fundingSources' });
    given(histories.agreementExecuted())
      .when(launch({ leads: [] }))
      .thenThrows('validation.required', { field: 'leads' });
    given(histories.agreementExecuted())
      .when(launch({ milestones: [] }))
      .thenThrows('validation.required', { field: 'milestones' });
  });

  it('refuses a malformed start date', () => {
    given(histories.agreementExecuted())
      .when(launch({ startsOn: '2025-04-31' }))
      .thenThrows('validation.invalid_date');
  });

  it('refuses a project id already used', () => {
    given(histories.projectActive()).when(launch()).thenThrows('project.already_exists');
  });
});

describe('ReachJointProjectMilestone', () => {
  it('records a milestone of a running project as reached', () => {
    given(histories.projectActive()).when(reach(MILESTONE_1)).then([milestoneReached()]);
  });

  it('refuses a milestone reached a second time', () => {
    given([...histories.projectActive(), milestoneReached()])
      .when(reach(MILESTONE_1))
      .thenThrows('milestone.already_reached');
  });

  it('refuses a milestone of a completed project', () => {
    given([...histories.projectActive(), completed()])
      .when(reach(MILESTONE_2))
      .thenThrows('project.not_running');
  });

  it('refuses a reached date in the future', () => {
    given(histories.projectActive())
      .when(reach(MILESTONE_1, '2025-03-11'))
      .thenThrows('milestone.reached_in_future');
  });

  it('refuses an unknown milestone or project', () => {
    given(histories.projectActive()).when(reach('unknown-milestone')).thenThrows('milestone.not_found');
    given(histories.agreementExecuted()).when(reach(MILESTONE_1)).thenThrows('project.not_found');
  });
});

describe('CompleteJointProject', () => {
  it('completes a running project', () => {
    given(histories.projectActive()).when(complete('2025-03-10', ' Testbed delivered ')).then([completed()]);
  });

  it('keeps the partnership at project_active once its project is completed', () => {
    const state = fold(partnershipDecider, [...histories.projectActive(), completed()]) as Partnership;
    expect({ stage: state.stage, project: state.projects[0].status }).toStrictEqual({
      stage: 'project_active',
      project: 'completed',
    });
  });

  it('refuses to complete a project twice', () => {
    given([...histories.projectActive(), completed()])
      .when(complete())
      .thenThrows('project.not_running');
  });

  it('refuses a completion date in the future', () => {
    given(histories.projectActive()).when(complete('2025-04-01')).thenThrows('project.completed_in_future');
  });
});
