/**
 * The search filter that finds a user's entry: `--ldap-user-filter` with `%u` replaced by the
 * user name, escaped as RFC 4515 §3 says, so a name can only ever be a value, never filter text.
 */
import { FilterParser } from 'ldapts';

export const DEFAULT_USER_FILTER = '(uid=%u)';

/**
 * Escapes a string for use as an assertion value in a filter (RFC 4515 §3): `*`, `(`, `)`, `\`
 * and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`; UTF-8 text is left as it is.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** What is wrong with a `--ldap-user-filter` template, or null when it will do. */
export function userFilterProblem(template: string): string | null {
  if (!template.includes('%u')) {
    return `--ldap-user-filter must contain %u, the user name (got "${template}"); the default is ${DEFAULT_USER_FILTER}.`;
  }
  try {
    FilterParser.parseString(userFilter(template, 'name'));
  } catch (error) {
    return `--ldap-user-filter is not an LDAP filter (RFC 4515) such as ${DEFAULT_USER_FILTER} or (&(objectClass=posixAccount)(uid=%u)): ${error instanceof Error ? error.message : String(error)}`;
  }
  return null;
}

/** The template with every `%u` replaced by the escaped user name. */
export function userFilter(template: string, user: string): string {
  const escaped = escapeFilterValue(user);
  return template.replaceAll('%u', () => escaped);
}
