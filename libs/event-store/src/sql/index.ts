export * from './migrations';
export * from './sql-event-store';
export { AfterCommitNotifier } from './after-commit-notifier';
