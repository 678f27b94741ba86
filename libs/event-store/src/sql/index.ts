export * from './migrations';
export * from './sql-event-store';
