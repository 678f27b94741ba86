import { WrongExpectedRevisionError } from '@passerelle/event-store';
import { toProblem } from './problem.filter';

describe('toProblem', () => {
  it.each(['partnership-1', 'organization-2', 'organization_name-3'])(
    'answers a concurrent write on %s with one 409 whose detail fits any stream',
    (streamId) => {
      const { body } = toProblem(new WrongExpectedRevisionError(streamId, 4, 5));
      expect(body).toEqual({
        type: 'urn:passerelle:problem:concurrency_conflict',
        title: 'Conflict',
        status: 409,
        detail: 'The record changed concurrently; try again',
      });
      expect(JSON.stringify(body)).not.toContain(streamId);
    },
  );
});
