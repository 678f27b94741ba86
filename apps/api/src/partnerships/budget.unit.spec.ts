import { ProblemError } from '../http/problem';
import { validationPipe } from '../http/validation';
import { BudgetDto } from './partnership.dto';

const validate = async (amount: unknown): Promise<unknown> =>
  validationPipe.transform({ amount, currency: 'EUR' }, { type: 'body', metatype: BudgetDto });

describe('a budget amount', () => {
  it.each([250000, 12.3, 12.34, 0.29, 1e12])('takes %p', async (amount) => {
    await expect(validate(amount)).resolves.toEqual(expect.objectContaining({ amount }));
  });

  it.each([12.345, 0.1 + 0.2, 3e-323, 5e-7, 1.005])(
    'refuses %p (more than two decimals, in any notation) with a 400 naming the field',
    async (amount) => {
      const refused: unknown = await validate(amount).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ProblemError);
      expect(refused).toEqual(expect.objectContaining({ status: 400, code: 'validation' }));
      expect((refused as ProblemError).message).toContain('amount must have at most 2 decimal places');
    },
  );
});
