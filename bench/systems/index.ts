import type { BenchSystem } from './types';

export type { BenchSystem, Load, ReadAllLoad, StreamsLoad } from './types';

const loaders = {
  store: () => import('./store'),
  'pg-raw': () => import('./pg-raw'),
  emmett: () => import('./emmett'),
  'pglite-raw': () => import('./pglite-raw'),
  'read-side': () => import('./read-side'),
  notifications: () => import('./notifications'),
  app: async () => {
    (await import('../lib/decorator-metadata')).compileWithDecoratorMetadata();
    return import('./app');
  },
  'http-floor': async () => {
    (await import('../lib/decorator-metadata')).compileWithDecoratorMetadata();
    return import('./http-floor');
  },
  background: async () => {
    (await import('../lib/decorator-metadata')).compileWithDecoratorMetadata();
    return import('./background');
  },
} satisfies Record<string, () => Promise<{ open(params: never): Promise<BenchSystem> }>>;

export type SystemName = keyof typeof loaders;

export async function openSystem(name: SystemName, params: unknown): Promise<BenchSystem> {
  const loaded = (await loaders[name]()) as { open(params: unknown): Promise<BenchSystem> };
  return loaded.open(params);
}
