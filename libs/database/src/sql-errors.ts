/** SQLSTATE codes the adapters react to. */
export const SqlState = {
  uniqueViolation: '23505',
  deadlockDetected: '40P01',
  duplicateSchema: '42P06',
} as const;

/** The SQLSTATE of an error raised by either client (both expose it as `code`). */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
