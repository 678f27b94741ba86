export * from './sql-client';
export * from './create-sql-client';
export * from './migrate';
export * from './sql-errors';
export * from './identifiers';
export { inForeground, currentLane, type Lane } from './priority';
