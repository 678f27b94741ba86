import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { parseDate } from '../shared/time';
import { collapseSpaces, distinct, optionalText, requireIds, requireText } from '../shared/validation';
import type { CompleteJointProject, LaunchJointProject, ReachJointProjectMilestone } from './commands';
import type {
  Budget,
  JointProjectCompleted,
  JointProjectLaunched,
  JointProjectMilestoneReached,
  Milestone,
  PartnershipEvent,
} from './events';
import { Context, nonPartiesAmong, requireNotBefore } from './rules';
import { agreementsInForceOn } from './agreements';
import { advance, replaceWhere, type JointProject, type Partnership } from './state';

const CURRENCY = /^[A-Z]{3}$/;

const findProject = (context: Context, projectId: string): JointProject => {
  const project = context.partnership.projects.find((candidate) => candidate.projectId === projectId);
  if (!project) throw fail('project.not_found', `Joint project ${projectId} not found`, { projectId });
  return project;
};

const requireRunning = (project: JointProject): void => {
  if (project.status !== 'running') {
    throw fail('project.not_running', `Joint project ${project.projectId} is ${project.status}`, {
      projectId: project.projectId,
      status: project.status,
    });
  }
};

const requireBudget = (budget: unknown): Budget => {
  const { amount, currency } = (budget ?? {}) as { amount?: unknown; currency?: unknown };
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    throw fail('project.invalid_budget', 'The budget amount must be a number greater than zero', { amount });
  }
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
    throw fail(
      'project.invalid_currency',
      'The budget currency must be an ISO 4217 code such as USD or EUR',
      {
        currency,
      },
    );
  }
  return { amount, currency };
};

const requireList = (value: unknown, field: string): unknown[] => {
  if (!Array.isArray(value) || value.length === 0) {
    throw fail('validation.required', `${field} needs at least one entry`, { field });
  }
  return value;
};

const requireMilestones = (value: unknown): Milestone[] => {
  const seen = new Set<string>();
  return requireList(value, 'milestones').map((item, index) => {
    const input = (item ?? {}) as { milestoneId?: unknown; title?: unknown; dueOn?: unknown };
    const milestoneId = requireText(input.milestoneId, `milestones[${index}].milestoneId`);
    if (seen.has(milestoneId)) {
      throw fail('project.duplicate_milestone', `Milestone ${milestoneId} appears more than once`, {
        milestoneId,
      });
    }
    seen.add(milestoneId);
    return {
      milestoneId,
      title: collapseSpaces(requireText(input.title, `milestones[${index}].title`)),
      dueOn: parseDate(input.dueOn, `milestones[${index}].dueOn`),
    };
  });
};

/**
 * A joint project rests on at least one agreement in force on the day it starts: executed on or before it,
 * its term not ended by it. Whether the scheduler has recorded an expiry yet plays no part.
 */
const agreementsItRestsOn = (context: Context, startsOn: string): string[] => {
  const executed = context.partnership.agreements.filter(
    (agreement) => agreement.executedOn !== null && agreement.expiresOn !== null,
  );
  if (executed.length === 0) {
    throw fail(
      'project.no_executed_agreement',
      'A joint project needs at least one executed agreement in force',
    );
  }
  const inForce = agreementsInForceOn(context.partnership, startsOn);
  if (inForce.length > 0) return inForce.map((agreement) => agreement.agreementId);
  const terms = executed.map(({ agreementId, executedOn, expiresOn }) => ({
    agreementId,
    executedOn,
    expiresOn,
  }));
  if (executed.every((agreement) => (agreement.executedOn as string) > startsOn)) {
    throw fail(
      'project.before_agreement',
      `A joint project cannot start (${startsOn}) before an agreement it rests on was executed`,
      { startsOn, agreements: terms },
    );
  }
  throw fail('project.agreement_ended', `No executed agreement is still in force on ${startsOn}`, {
    startsOn,
    agreements: terms,
  });
};

export const launchProject = (command: LaunchJointProject, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const projectId = requireText(data.projectId, 'projectId');
  if (context.partnership.projects.some((project) => project.projectId === projectId)) {
    throw fail('project.already_exists', `Joint project ${projectId} already exists`, { projectId });
  }
  const startsOn = parseDate(data.startsOn, 'startsOn');
  const agreementIds = agreementsItRestsOn(context, startsOn);
  const title = collapseSpaces(requireText(data.title, 'title'));
  const description = optionalText(data.description, 'description');
  const budget = requireBudget(data.budget);
  const fundingSources = distinct(
    requireList(data.fundingSources, 'fundingSources').map((source, index) =>
      collapseSpaces(requireText(source, `fundingSources[${index}]`)),
    ),
  );
  const leads = requireIds(data.leads, 'leads');
  const milestones = requireMilestones(data.milestones);
  const outsiders = nonPartiesAmong(context.partnership, leads);
  if (outsiders.length > 0) {
    throw fail('project.lead_not_party', 'Every lead must be a party to the partnership', {
      organizationIds: outsiders,
    });
  }
  return [
    {
      type: 'JointProjectLaunched',
      data: {
        partnershipId: context.partnership.id,
        projectId,
        title,
        description,
        startsOn,
        budget,
        fundingSources,
        leads,
        milestones,
        agreementIds,
        // A project recorded today that starts next month is launched today.
        on: startsOn < context.today ? startsOn : context.today,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const reachMilestone = (command: ReachJointProjectMilestone, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const project = findProject(context, data.projectId);
  const milestone = project.milestones.find((candidate) => candidate.milestoneId === data.milestoneId);
  if (!milestone) {
    throw fail(
      'milestone.not_found',
      `Milestone ${data.milestoneId} not found in project ${project.projectId}`,
      {
        projectId: project.projectId,
        milestoneId: data.milestoneId,
      },
    );
  }
  requireRunning(project);
  if (milestone.reachedOn !== null) {
    throw fail(
      'milestone.already_reached',
      `Milestone ${milestone.milestoneId} was reached on ${milestone.reachedOn}`,
      {
        milestoneId: milestone.milestoneId,
        reachedOn: milestone.reachedOn,
      },
    );
  }
  const reachedOn = parseDate(data.reachedOn, 'reachedOn');
  if (reachedOn > context.today) {
    throw fail('milestone.reached_in_future', 'reachedOn cannot be in the future', { reachedOn });
  }
  requireNotBefore(
    'milestone.before_project_start',
    'A milestone cannot be reached before its project started',
    reachedOn,
    { startsOn: project.startsOn },
  );
  return [
    {
      type: 'JointProjectMilestoneReached',
      data: {
        partnershipId: context.partnership.id,
        projectId: project.projectId,
        milestoneId: milestone.milestoneId,
        title: milestone.title,
        dueOn: milestone.dueOn,
        reachedOn,
        on: reachedOn,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const completeProject = (command: CompleteJointProject, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const project = findProject(context, data.projectId);
  requireRunning(project);
  const completedOn = parseDate(data.completedOn, 'completedOn');
  if (completedOn > context.today) {
    throw fail('project.completed_in_future', 'completedOn cannot be in the future', { completedOn });
  }
  requireNotBefore(
    'project.completed_before_start',
    'A project cannot be completed before it started',
    completedOn,
    { startsOn: project.startsOn },
  );
  return [
    {
      type: 'JointProjectCompleted',
      data: {
        partnershipId: context.partnership.id,
        projectId: project.projectId,
        title: project.title,
        completedOn,
        summary: optionalText(data.summary, 'summary'),
        on: completedOn,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export type ProjectEvent = JointProjectLaunched | JointProjectMilestoneReached | JointProjectCompleted;

/** The partnership after one of its joint-project events; a launch reaches `project_active`. */
export const evolveProjects = (partnership: Partnership, event: ProjectEvent): Partnership => {
  switch (event.type) {
    case 'JointProjectLaunched': {
      const { partnershipId: _p, occurredAt, on, milestones, ...project } = event.data;
      return advance(
        {
          ...partnership,
          projects: [
            ...partnership.projects,
            {
              ...project,
              status: 'running',
              milestones: milestones.map((milestone) => ({ ...milestone, reachedOn: null })),
              launchedAt: occurredAt,
              launchedOn: on,
              completedOn: null,
              summary: null,
            },
          ],
        },
        'project_active',
      );
    }
    case 'JointProjectMilestoneReached': {
      const { projectId, milestoneId, reachedOn } = event.data;
      return {
        ...partnership,
        projects: replaceWhere(partnership.projects, 'projectId', projectId, (project) => ({
          ...project,
          milestones: replaceWhere(project.milestones, 'milestoneId', milestoneId, (milestone) => ({
            ...milestone,
            reachedOn,
          })),
        })),
      };
    }
    case 'JointProjectCompleted': {
      const { projectId, completedOn, summary } = event.data;
      return {
        ...partnership,
        projects: replaceWhere(partnership.projects, 'projectId', projectId, (project) => ({
          ...project,
          status: 'completed',
          completedOn,
          summary,
        })),
      };
    }
    default:
      return assertNever(event, 'joint project event');
  }
};
