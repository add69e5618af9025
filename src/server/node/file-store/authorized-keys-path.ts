/**
 * sshd_config(5) `AuthorizedKeysFile` tokens: `%h` home directory, `%u` user name, `%%` a
 * percent sign. Keysmith accepts only those three, and only templates that give an absolute path.
 */

/** The default, as sshd's own: `.ssh/authorized_keys` in the home directory. */
export const DEFAULT_AUTHORIZED_KEYS_TEMPLATE = '%h/.ssh/authorized_keys';

/** Checks a template; returns an error message or null when it is fine. */
export function checkAuthorizedKeysTemplate(template: string): string | null {
  const unknown = /%([^hu%]|$)/.exec(template.replaceAll('%%', ''));
  if (unknown !== null) {
    return `--authorized-keys: unknown token "%${unknown[1] ?? ''}" (only %h, %u and %% are known).`;
  }
  if (!template.startsWith('/') && !template.startsWith('%h')) {
    return '--authorized-keys must give an absolute path: start it with / or %h.';
  }
  if (/[\0\n\r]/.test(template)) return '--authorized-keys must not contain control characters.';
  return null;
}

/**
 * Expands a template for one account. Throws a RangeError for an unknown token or a result
 * that is not an absolute path.
 */
export function expandAuthorizedKeysTemplate(
  template: string,
  account: { name: string; home: string },
): string {
  const problem = checkAuthorizedKeysTemplate(template);
  if (problem !== null) throw new RangeError(problem);
  const result = template.replace(/%([hu%])/g, (_, token: string) =>
    token === 'h' ? account.home : token === 'u' ? account.name : '%',
  );
  if (!result.startsWith('/')) {
    throw new RangeError(`The authorized_keys path "${result}" is not absolute.`);
  }
  return result;
}
