/**
 * The composition root: how any process (the API, the worker, the projector, the scripts) opens the SQL
 * client, the log with its personal-data layer, and the locks. The Nest modules call these functions;
 * the plain processes call them directly.
 */
export * from './copied-log';
export * from './event-stores';
export * from './locks';
export * from './logger';
export * from './sql-client';
