export * from './copy-log';
export * from './sql-position-keeper';
