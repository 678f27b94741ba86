export * from './export-format';
export * from './export-writer';
export * from './export-verifier';
export * from './export-report-text';
