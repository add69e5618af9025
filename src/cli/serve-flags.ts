/**
 * The flags of `keysmith serve` as one zod schema: each flag's rule and the rules between
 * flags (which mode needs what), with messages that say what to set.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  checkAuthorizedKeysTemplate,
  DEFAULT_AUTHORIZED_KEYS_TEMPLATE,
} from '../server/node/file-store/authorized-keys-path.ts';
import { ldapFlagProblems, ldapFlagSchemas } from '../server/node/ldap/ldap-flags.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * A flag holding a URL, kept as its origin. `problem` says what is wrong with a URL that parses,
 * or null when it will do.
 */
function originFlag(
  flag: string,
  example: string,
  problem: (url: URL, text: string) => string | null,
) {
  return z.string().transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `${flag} must be a URL such as ${example} (got "${text}").`,
      });
      return z.NEVER;
    }
    const message = problem(url, text);
    if (message === null) return url.origin;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}

/**
 * A Seqera Platform API base URL the onboarding page may call from the browser (CSP
 * connect-src). https only, except loopback for a local Seqera.
 */
const seqeraApiSchema = originFlag('--seqera-api', 'https://api.cloud.seqera.io', (url) => {
  const loopback = LOOPBACK_HOSTS.has(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return '--seqera-api must use https:// (plain http only on 127.0.0.1 or localhost).';
  }
  if (url.username !== '' || url.password !== '') {
    return '--seqera-api must not carry a user name or password.';
  }
  return null;
});

/**
 * The address people open Keysmith at through the proxy; a browser's Origin header for the
 * page is exactly this origin. The app is served at the root, so no path.
 */
const publicUrlSchema = originFlag('--public-url', 'https://keys.example.org', (url, text) => {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return '--public-url must start with https:// or http://.';
  }
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || /[?#]/.test(text)) {
    return `--public-url is the origin alone, such as ${url.origin}: Keysmith is served at its root (no path, query or user name).`;
  }
  return null;
});

/** A flag that holds a whole number from `min` to `max`; anything else is refused with `message`. */
function wholeNumberFlag(min: number, max: number, message: string) {
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

export const flagsSchema = z
  .strictObject({
    host: z
      .string()
      .refine((host) => isIP(host) !== 0 || host === 'localhost', {
        message: '--host must be an IP address (or localhost).',
      })
      .default('127.0.0.1'),
    port: wholeNumberFlag(0, 65_535, '--port must be a number from 0 to 65535.').default(8022),
    auth: z
      .enum(['local', 'proxy', 'oidc'], { message: '--auth must be "local", "proxy" or "oidc".' })
      .default('local'),
    'user-header': z
      .string()
      .regex(HEADER_NAME, '--user-header must be an HTTP header name.')
      .default('X-Forwarded-User'),
    'trusted-proxy': z
      .array(z.string().refine((a) => isIP(a) !== 0, '--trusted-proxy must be an IP address.'))
      .default([]),
    'public-url': publicUrlSchema.optional(),
    'oidc-issuer': z
      .string()
      .refine(
        (text) => URL.canParse(text),
        '--oidc-issuer must be a URL such as https://login.example.org.',
      )
      .optional(),
    'oidc-client-id': z.string().min(1, '--oidc-client-id must not be empty.').optional(),
    'oidc-client-secret-file': z.string().min(1).optional(),
    'oidc-user-claim': z
      .string()
      .regex(/^[\x21-\x7e]{1,100}$/, '--oidc-user-claim must be a claim name.')
      .default('preferred_username'),
    'oidc-user-strip-domain': z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i,
        '--oidc-user-strip-domain must be a domain such as example.org.',
      )
      .optional(),
    'session-key-file': z.string().min(1).optional(),
    'session-hours': z
      .string()
      .regex(/^\d{1,4}(\.\d+)?$/, '--session-hours must be a number of hours.')
      .transform(Number)
      .refine(
        (hours) => hours > 0 && hours <= 720,
        '--session-hours must be above 0 and at most 720.',
      )
      .default(8),
    'authorized-keys': z
      .string()
      .superRefine((template, ctx) => {
        const problem = checkAuthorizedKeysTemplate(template);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(DEFAULT_AUTHORIZED_KEYS_TEMPLATE),
    'min-uid': wholeNumberFlag(
      1,
      Number.MAX_SAFE_INTEGER,
      '--min-uid must be a whole number, at least 1 (root is never served).',
    ).default(1000),
    'max-user-processes': wholeNumberFlag(
      1,
      1000,
      '--max-user-processes must be a whole number from 1 to 1000.',
    ).default(48),
    'user-process-idle': wholeNumberFlag(
      1,
      86_400,
      '--user-process-idle must be a whole number of seconds, 1 to 86400.',
    ).default(60),
    'user-process-queue': wholeNumberFlag(
      0,
      10_000,
      '--user-process-queue must be a whole number from 0 to 10000.',
    ).optional(),
    'max-requests-per-user': wholeNumberFlag(
      1,
      100,
      '--max-requests-per-user must be a whole number from 1 to 100.',
    ).default(4),
    static: z.string().min(1).optional(),
    'seqera-api': z.array(seqeraApiSchema).default([]),
    'audit-log': z
      .string()
      .min(1, '--audit-log needs a file path, or - for standard output.')
      .optional(),
    policy: z.string().min(1, '--policy needs a JSON file, see the README.').optional(),
    'sshd-log': z
      .string()
      .min(
        1,
        '--sshd-log needs the file sshd or syslog writes (e.g. /var/log/auth.log), or journal.',
      )
      .optional(),
    ...ldapFlagSchemas,
    help: z.boolean().optional(),
  })
  .superRefine((flags, ctx) => {
    for (const message of ldapFlagProblems(flags)) ctx.addIssue({ code: 'custom', message });
    if (flags.auth === 'local' && !LOOPBACK_HOSTS.has(flags.host)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'Local mode listens on loopback only (127.0.0.1, ::1 or localhost). For a shared server use --auth proxy behind a sign-in proxy.',
      });
    }
    if (flags.auth === 'proxy' && flags['trusted-proxy'].length === 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          'Proxy mode needs --trusted-proxy ADDR: the address the sign-in proxy connects from.',
      });
    }
    if (flags.auth === 'oidc') {
      const missing = (
        [
          ['oidc-issuer', 'URL'],
          ['oidc-client-id', 'ID'],
          ['oidc-client-secret-file', 'FILE'],
          ['public-url', 'URL'],
          ['session-key-file', 'FILE'],
        ] as const
      ).filter(([flag]) => flags[flag] === undefined);
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `OIDC mode needs ${missing.map(([flag, what]) => `--${flag} ${what}`).join(', ')}. See the README, "Sign-in with OpenID Connect".`,
        });
      }
    }
    if (flags.auth === 'proxy' && flags['public-url'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'Proxy mode needs --public-url URL: the address people open Keysmith at through the sign-in proxy, such as https://keys.example.org. Changes are accepted only from pages of that origin.',
      });
    }
    if (flags.auth === 'local' && flags['public-url'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          '--public-url is for proxy and oidc modes; local mode is opened at the 127.0.0.1 URL it prints. Leave --public-url out, or add --auth proxy or --auth oidc.',
      });
    }
  });

/** Characters a random token over its alphabet needs for 128 bits: digits, hex or base64url. */
function lengthFor128Bits(token: string): number {
  if (/^[0-9]*$/.test(token)) return 39;
  if (/^[0-9a-f]*$/.test(token) || /^[0-9A-F]*$/.test(token)) return 32;
  return 22;
}

export const tokenSchema = z
  .string()
  .refine(
    (token) =>
      /^[A-Za-z0-9_-]{1,256}$/.test(token) &&
      token.length >= lengthFor128Bits(token) &&
      new Set(token).size >= 10,
    'KEYSMITH_TOKEN must be a random secret of 128 bits or more: at least 22 letters, digits, "-" or "_" (32 if hex digits only), at least 10 of them different, at most 256. Make one with: openssl rand -hex 32',
  );
