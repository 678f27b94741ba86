import { ConnectionQueue, currentLane, inForeground } from './priority';

/** A unit of work that holds the connection until released, recording when it started. */
function held(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
    },
    release: () => release(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Turns the event loop until `started` holds `count` names. */
async function untilStarted(started: string[], count: number): Promise<void> {
  while (started.length < count) await tick();
}

describe('ConnectionQueue', () => {
  it('runs one unit at a time, and a waiting foreground unit before waiting background ones', async () => {
    const queue = new ConnectionQueue(60_000);
    const started: string[] = [];
    const first = held(started, 'first');
    const background = held(started, 'background');
    const foreground = held(started, 'foreground');
    const running = [
      queue.run(first.work, 'background'),
      queue.run(background.work, 'background'),
      queue.run(foreground.work, 'foreground'),
    ];
    await tick();
    expect(started).toEqual(['first']);
    first.release();
    await tick();
    expect(started).toEqual(['first', 'foreground']);
    foreground.release();
    await untilStarted(started, 3);
    expect(started).toEqual(['first', 'foreground', 'background']);
    background.release();
    await Promise.all(running);
  });

  it('lets background work that has waited long enough go before foreground work', async () => {
    const queue = new ConnectionQueue(0);
    const started: string[] = [];
    const first = held(started, 'first');
    const background = held(started, 'background');
    const foreground = held(started, 'foreground');
    const running = [
      queue.run(first.work, 'foreground'),
      queue.run(foreground.work, 'foreground'),
      queue.run(background.work, 'background'),
    ];
    await tick();
    first.release();
    await untilStarted(started, 2);
    expect(started).toEqual(['first', 'background']);
    background.release();
    foreground.release();
    await Promise.all(running);
    expect(started).toEqual(['first', 'background', 'foreground']);
  });

  it('turns the event loop before background work, so a request arriving meanwhile goes first', async () => {
    const queue = new ConnectionQueue(60_000);
    const started: string[] = [];
    const first = held(started, 'first');
    const background = held(started, 'background');
    const late = held(started, 'late foreground');
    const running = [queue.run(first.work, 'foreground'), queue.run(background.work, 'background')];
    await tick();
    first.release();
    // The request comes in on the next turn of the event loop, after the connection was released.
    const arriving = new Promise<void>((resolve) =>
      setImmediate(() => {
        running.push(queue.run(late.work, 'foreground'));
        resolve();
      }),
    );
    await arriving;
    await untilStarted(started, 2);
    expect(started).toEqual(['first', 'late foreground']);
    late.release();
    await untilStarted(started, 3);
    background.release();
    await Promise.all(running);
    expect(started).toEqual(['first', 'late foreground', 'background']);
  });

  it('passes the connection on when a unit fails', async () => {
    const queue = new ConnectionQueue();
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(() => Promise.resolve(42))).resolves.toBe(42);
  });
});

describe('lanes', () => {
  it('is background outside inForeground, foreground inside it and across its awaits', async () => {
    expect(currentLane()).toBe('background');
    const lane = await inForeground(async () => {
      await tick();
      return currentLane();
    });
    expect(lane).toBe('foreground');
    expect(currentLane()).toBe('background');
  });
});
