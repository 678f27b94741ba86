import 'reflect-metadata';
import { openSystem, type BenchSystem, type SystemName } from '../systems';

/** The process side of Remote: opens one system, runs what the parent asks, closes when told. */
interface Request {
  id: number;
  method: string;
  args: Record<string, unknown>;
}

let system: BenchSystem | undefined;

async function handle({ method, args }: Request): Promise<unknown> {
  if (method === 'open') {
    system = await openSystem(args.name as SystemName, args.params);
    return undefined;
  }
  if (method === 'close') {
    const closing = system;
    system = undefined;
    await closing?.close();
    return undefined;
  }
  const fn = system?.[method];
  if (typeof fn !== 'function') throw new Error(`no method ${method}`);
  return (fn as (args: unknown) => Promise<unknown>).call(system, args);
}

process.on('message', (request: Request) => {
  handle(request).then(
    (result) => process.send?.({ id: request.id, ok: true, result }),
    (error: unknown) =>
      process.send?.({
        id: request.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});

// The parent went away (finished or crashed): leave, closing what is still open.
process.on('disconnect', () => {
  void Promise.resolve(system?.close())
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
