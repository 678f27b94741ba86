/** Lower-case SQL identifiers only: they need no quoting anywhere (search_path startup option, LISTEN, NOTIFY). */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertPlainIdentifier(name: string, what = 'identifier'): string {
  if (!PLAIN_IDENTIFIER.test(name)) {
    throw new Error(
      `Invalid ${what} "${name}": use 1 to 63 characters among a-z, 0-9 and _, not starting with a digit`,
    );
  }
  return name;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
