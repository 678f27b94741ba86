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
    await tick();
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
    await tick();
    expect(started).toEqual(['first', 'background']);
    background.release();
    foreground.release();
    await Promise.all(running);
    expect(started).toEqual(['first', 'background', 'foreground']);
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
