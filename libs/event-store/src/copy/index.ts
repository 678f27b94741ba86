export * from './copy-log';
