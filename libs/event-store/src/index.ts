export * from './event-store.port';
export * from './errors';
export * from './hash-chain';
export * from './name-based-uuid';
export * from './sql';
export * from './processing';
export * from './cached-streams';
