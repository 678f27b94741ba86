export * from './checkpoints';
export * from './locks';
export * from './logger';
export * from './run-processor';
export * from './sleep';
