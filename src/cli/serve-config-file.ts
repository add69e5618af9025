/** The flag names of `keysmith serve` and `--config FILE`, a JSON object keyed by them. */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';

/** The flags of `keysmith serve`; a --config file's keys are these names. */
export const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  auth: { type: 'string' },
  'user-header': { type: 'string' },
  'trusted-proxy': { type: 'string', multiple: true },
  'public-url': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'oidc-client-id': { type: 'string' },
  'oidc-client-secret-file': { type: 'string' },
  'oidc-user-claim': { type: 'string' },
  'oidc-user-strip-domain': { type: 'string' },
  'session-key-file': { type: 'string' },
  'session-hours': { type: 'string' },
  'authorized-keys': { type: 'string' },
  'min-uid': { type: 'string' },
  'max-user-processes': { type: 'string' },
  'user-process-idle': { type: 'string' },
  'user-process-queue': { type: 'string' },
  'max-requests-per-user': { type: 'string' },
  static: { type: 'string' },
  'seqera-api': { type: 'string', multiple: true },
  'audit-log': { type: 'string' },
  policy: { type: 'string' },
  'sshd-log': { type: 'string' },
  store: { type: 'string' },
  'ldap-url': { type: 'string' },
  'ldap-starttls': { type: 'boolean' },
  'ldap-bind-dn': { type: 'string' },
  'ldap-bind-password-file': { type: 'string' },
  'ldap-user-base': { type: 'string' },
  'ldap-user-filter': { type: 'string' },
  'ldap-key-attribute': { type: 'string' },
  'ldap-ca-file': { type: 'string' },
  'directory-cache-minutes': { type: 'string' },
  help: { type: 'boolean' },
  config: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/**
 * Reads `--config FILE`: a JSON object whose keys are flag names without `--` and whose values
 * are what the flag takes (a string or number, a list for a repeatable flag). The flags schema
 * validates the result like any command line.
 */
export function readConfigFile(file: string): { values: FlagValues } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return {
      error: `--config ${file}: ${error instanceof Error ? error.message : String(error)}. Give a readable JSON file.`,
    };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {
      error: `--config ${file} must hold a JSON object such as {"auth": "proxy", "trusted-proxy": ["127.0.0.1"]}.`,
    };
  }
  const entries = Object.entries(data);
  const unknown = entries
    .map(([key]) => key)
    .filter((key) => !Object.hasOwn(SERVE_OPTIONS, key) || key === 'config' || key === 'help');
  if (unknown.length > 0) {
    return {
      error: `--config ${file}: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((key) => JSON.stringify(key)).join(', ')}. The keys are the flag names without "--"; "keysmith serve --help" lists them.`,
    };
  }
  const values: FlagValues = {};
  for (const [key, value] of entries) {
    const option = SERVE_OPTIONS[key as keyof typeof SERVE_OPTIONS];
    // A switch (--ldap-starttls) is true or false in the file; false is the same as left out.
    if (option.type === 'boolean') {
      if (typeof value !== 'boolean') {
        return { error: `--config ${file}: "${key}" must be true or false.` };
      }
      if (value) values[key] = true;
      continue;
    }
    const multiple = 'multiple' in option;
    const scalar = (item: unknown) =>
      typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))
        ? String(item)
        : null;
    const list = multiple ? (Array.isArray(value) ? value : [value]).map(scalar) : null;
    const single = multiple ? null : scalar(value);
    if (list !== null && list.every((item) => item !== null)) values[key] = list;
    else if (single !== null) values[key] = single;
    else {
      return {
        error: `--config ${file}: "${key}" must be ${multiple ? 'a string or a list of strings' : 'a string or a number'}.`,
      };
    }
  }
  return { values };
}
