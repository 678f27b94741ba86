import { fail } from '../shared/errors';
import {
  collapseSpaces,
  optionalText,
  requireAxes,
  requireIds,
  requireSectors,
  requireText,
} from '../shared/validation';
import type { ProposePartnership } from './commands';
import type { PartnershipEvent, PartnershipProposed } from './events';
import { businessDate, coversBothSides, factsOf } from './rules';
import { utcDate } from '../shared/time';
import type { Partnership, PartnershipState } from './state';

export const propose = (command: ProposePartnership, state: PartnershipState): PartnershipEvent[] => {
  const { data, metadata } = command;
  if (state.status !== 'none') {
    throw fail('partnership.already_exists', `Partnership ${state.id} already exists`, {
      partnershipId: state.id,
    });
  }
  const partnershipId = requireText(data.partnershipId, 'partnershipId');
  const on = businessDate(data.on, utcDate(metadata.now));
  const title = collapseSpaces(requireText(data.title, 'title'));
  const description = optionalText(data.description, 'description');
  const sectors = requireSectors(data.sectors, 'sectors', { atLeastOne: true });
  const axes = requireAxes(data.axes, 'axes');
  const parties = requireIds(data.parties, 'parties');
  const facts = parties.map((organizationId) => factsOf(metadata, organizationId));
  if (!coversBothSides(facts)) {
    throw fail(
      'partnership.sides_required',
      'A partnership needs at least one party from California (US) and one from France (FR)',
      { parties: facts.map(({ id, country }) => ({ organizationId: id, country })) },
    );
  }
  return [
    {
      type: 'PartnershipProposed',
      data: {
        partnershipId,
        title,
        description,
        parties,
        sectors,
        axes,
        on,
        occurredAt: metadata.now.toISOString(),
      },
    },
  ];
};

/** The partnership a proposal starts: active, at `proposed`, with nothing scheduled, drafted or launched yet. */
export const evolveProposed = ({ data }: PartnershipProposed): Partnership => ({
  id: data.partnershipId,
  title: data.title,
  description: data.description ?? null,
  stage: 'proposed',
  stageBeforeHold: null,
  status: 'active',
  lifecycleStage: 'proposed',
  parties: data.parties,
  sectors: data.sectors,
  axes: data.axes,
  meetings: [],
  agreements: [],
  projects: [],
  mous: [],
  suspensionReason: null,
  withdrawalReason: null,
  createdAt: data.occurredAt,
  updatedAt: data.occurredAt,
  proposedOn: data.on,
  lastStepOn: data.on,
});
