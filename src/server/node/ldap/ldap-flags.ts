/**
 * The flags of `--store ldap` (keys in the site's directory, delivered by SSSD): their schemas,
 * the rules between them, and the config read from them (the bind password and CA files).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_USER_FILTER, userFilterProblem } from './ldap-filter.ts';
import type { LdapConfig } from './ldap-key-store.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** An LDAP attribute description (RFC 4512 §2.5): a name, no options. */
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Whether `host` (as URL.hostname gives it) is this machine. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return LOOPBACK_HOSTS.has(bare) || (isIP(bare) === 4 && bare.startsWith('127.'));
}

const ldapUrlSchema = z.string().superRefine((text, ctx) => {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:')) {
    ctx.addIssue({
      code: 'custom',
      message: `--ldap-url must be ldaps://HOST[:PORT] or ldap://HOST[:PORT] (got "${text}").`,
    });
  } else if (url.username !== '' || url.password !== '' || !/^\/?$/.test(url.pathname)) {
    ctx.addIssue({
      code: 'custom',
      message: `--ldap-url is the server alone, such as ${url.protocol}//${url.host}: the bind account and the user base have their own flags.`,
    });
  }
});

/** The `--ldap-*` flags and `--store`, for the serve flags schema. */
export const ldapFlagSchemas = {
  store: z.enum(['file', 'ldap'], { message: '--store must be "file" or "ldap".' }).default('file'),
  'ldap-url': ldapUrlSchema.optional(),
  'ldap-starttls': z.boolean().optional(),
  'ldap-bind-dn': z.string().min(1, '--ldap-bind-dn must not be empty.').optional(),
  'ldap-bind-password-file': z.string().min(1).optional(),
  'ldap-user-base': z.string().min(1, '--ldap-user-base must not be empty.').optional(),
  'ldap-user-filter': z
    .string()
    .superRefine((template, ctx) => {
      const problem = userFilterProblem(template);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_USER_FILTER),
  'ldap-key-attribute': z
    .string()
    .regex(ATTRIBUTE, '--ldap-key-attribute must be an attribute name such as sshPublicKey.')
    .default('sshPublicKey'),
  'ldap-ca-file': z.string().min(1).optional(),
  'directory-cache-minutes': z
    .string()
    .regex(/^\d{1,6}$/, '--directory-cache-minutes must be a whole number of minutes.')
    .transform(Number)
    .default(90),
};

type LdapFlags = z.output<z.ZodObject<typeof ldapFlagSchemas>>;

/** What is wrong between the LDAP flags, each a message that says what to set. */
export function ldapFlagProblems(flags: LdapFlags): string[] {
  const ldapFlags = Object.keys(ldapFlagSchemas).filter(
    (name) => name.startsWith('ldap-') && flags[name as keyof LdapFlags] !== undefined,
  );
  if (flags.store !== 'ldap') {
    const given = ldapFlags.filter(
      (name) => name !== 'ldap-user-filter' && name !== 'ldap-key-attribute',
    );
    return given.length === 0
      ? []
      : [
          `${given.map((name) => `--${name}`).join(', ')} ${given.length === 1 ? 'needs' : 'need'} --store ldap.`,
        ];
  }
  const missing = (
    [
      ['ldap-url', 'URL'],
      ['ldap-bind-dn', 'DN'],
      ['ldap-bind-password-file', 'FILE'],
      ['ldap-user-base', 'DN'],
    ] as const
  ).filter(([flag]) => flags[flag] === undefined);
  if (missing.length > 0) {
    return [
      `--store ldap needs ${missing.map(([flag, what]) => `--${flag} ${what}`).join(', ')}. See the README, "Keys in LDAP or FreeIPA".`,
    ];
  }
  const url = new URL(flags['ldap-url'] ?? '');
  if (url.protocol === 'ldap:' && flags['ldap-starttls'] !== true && !isLoopback(url.hostname)) {
    return [
      `--ldap-url ldap://${url.host} would send the bind password and the keys unencrypted. Use ldaps://${url.host}, or add --ldap-starttls (plain ldap:// only to a loopback address).`,
    ];
  }
  if (url.protocol === 'ldaps:' && flags['ldap-starttls'] === true) {
    return ['--ldap-starttls is for ldap:// URLs; an ldaps:// connection is TLS from the start.'];
  }
  return [];
}

/** Reads the password and CA files of valid LDAP flags into the store's config. */
export function readLdapConfig(flags: LdapFlags): { config: LdapConfig } | { error: string } {
  const read = (flag: string, file: string): string | { error: string } => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      return {
        error: `Cannot read --${flag} ${file} (${error instanceof Error ? error.message : String(error)}).`,
      };
    }
  };
  const password = read('ldap-bind-password-file', flags['ldap-bind-password-file'] ?? '');
  if (typeof password !== 'string') return password;
  // One final newline is the file's, not the password's (echo, editors).
  const bindPassword = password.replace(/\r?\n$/, '');
  if (bindPassword === '') {
    return {
      error: `--ldap-bind-password-file ${flags['ldap-bind-password-file'] ?? ''} is empty. Put the bind account's password in it.`,
    };
  }
  let ca: string | undefined;
  if (flags['ldap-ca-file'] !== undefined) {
    const text = read('ldap-ca-file', flags['ldap-ca-file']);
    if (typeof text !== 'string') return text;
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      return {
        error: `--ldap-ca-file ${flags['ldap-ca-file']} holds no PEM certificate. Give the CA certificate that signed the directory's certificate.`,
      };
    }
    ca = text;
  }
  return {
    config: {
      url: flags['ldap-url'] ?? '',
      startTls: flags['ldap-starttls'] === true,
      bindDn: flags['ldap-bind-dn'] ?? '',
      bindPassword,
      userBase: flags['ldap-user-base'] ?? '',
      userFilter: flags['ldap-user-filter'],
      keyAttribute: flags['ldap-key-attribute'],
      cacheMinutes: flags['directory-cache-minutes'],
      ...(ca === undefined ? {} : { ca }),
    },
  };
}
