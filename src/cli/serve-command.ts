/**
 * `keysmith serve`: flags and environment, validated; then the server, until SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  checkAuthorizedKeysTemplate,
  DEFAULT_AUTHORIZED_KEYS_TEMPLATE,
} from '../server/node/authorized-keys-path.ts';
import { startServer, type OidcConfig, type ServerConfig } from '../server/node/node-server.ts';
import { loadSessionKey, type SessionKey } from '../server/auth/session-cookie.ts';

export const SERVE_HELP = `Usage: keysmith serve [options]

Serves Keysmith: the web app and its API over authorized_keys.

Options:
  --host ADDR              address to listen on (default 127.0.0.1; local mode: loopback only)
  --port N                 port to listen on (default 8022; 0 picks a free port)
  --auth local|proxy|oidc  local: one user, sign-in token in the printed URL (default)
                           proxy: user name from a sign-in proxy's header (several users)
                           oidc: Keysmith signs people in at an OpenID Connect provider
  --user-header NAME       proxy mode: header naming the user (default X-Forwarded-User)
  --trusted-proxy ADDR     proxy mode: IP address of the proxy (repeatable; required)
  --public-url URL         proxy and oidc modes: the address people open Keysmith at,
                           e.g. https://keys.example.org (required); changes are
                           accepted only from pages of this origin
  --oidc-issuer URL        oidc mode: the provider's issuer URL (required)
  --oidc-client-id ID      oidc mode: Keysmith's client id at the provider (required)
  --oidc-client-secret-file FILE
                           oidc mode: file holding the client secret (required)
  --oidc-user-claim NAME   oidc mode: claim naming the local user (default
                           preferred_username)
  --oidc-user-strip-domain DOMAIN
                           oidc mode: read an e-mail style claim jane@DOMAIN as jane;
                           other domains are refused
  --session-key-file FILE  oidc mode: 32+ random bytes sealing the session cookies, the
                           same on every replica (required); make one with:
                           openssl rand -base64 48 > FILE && chmod 600 FILE
  --session-hours N        oidc mode: how long a sign-in lasts (default 8)
  --authorized-keys TPL    file to edit, sshd style: %h home, %u user, %% percent
                           (default %h/.ssh/authorized_keys)
  --min-uid N              proxy mode: lowest uid served (default 1000)
  --max-user-processes N   proxy mode as root: most per-user helper processes at once
                           (default 8; each takes about 40 MB)
  --user-process-idle S    proxy mode: seconds an idle helper process lives (default 60)
  --user-process-queue N   proxy mode: most requests waiting for a helper, then 503
                           (default 4 x --max-user-processes)
  --max-requests-per-user N  proxy mode: most requests of one user at once, then 429
                           (default 4)
  --static DIR             built web app to serve (default dist/web)
  --seqera-api URL         a Seqera Platform API the onboarding page may send the new
                           credential to from the browser (repeatable; e.g.
                           https://api.cloud.seqera.io); without it the page offers copy only
  --audit-log PATH         append one JSON line per change and refused change to PATH
                           ("-" for standard output)
  --config FILE            read flags from a JSON object, keys named as the flags without
                           "--" (e.g. {"auth": "proxy", "trusted-proxy": ["127.0.0.1"]});
                           flags on the command line win
  --help                   show this help

Environment:
  KEYSMITH_TOKEN           local mode: use this sign-in token instead of a random one;
                           a random secret of 128 bits or more: at least 22 letters,
                           digits, "-" or "_" (32 hex digits), 10 of them different;
                           make one with: openssl rand -hex 32
`;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * A Seqera Platform API base URL the onboarding page may call from the browser (CSP
 * connect-src). https only, except loopback for a local Seqera; reduced to its origin.
 */
const seqeraApiSchema = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `--seqera-api must be a URL such as https://api.cloud.seqera.io (got "${text}").`,
    });
    return z.NEVER;
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    ctx.addIssue({
      code: 'custom',
      message: '--seqera-api must use https:// (plain http only on 127.0.0.1 or localhost).',
    });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: '--seqera-api must not carry a user name or password.',
    });
    return z.NEVER;
  }
  return url.origin;
});

/**
 * The address people open Keysmith at through the proxy; a browser's Origin header for the
 * page is exactly this origin. The app is served at the root, so no path.
 */
const publicUrlSchema = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `--public-url must be a URL such as https://keys.example.org (got "${text}").`,
    });
    return z.NEVER;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: '--public-url must start with https:// or http://.' });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || /[?#]/.test(text)) {
    ctx.addIssue({
      code: 'custom',
      message: `--public-url is the origin alone, such as ${url.origin}: Keysmith is served at its root (no path, query or user name).`,
    });
    return z.NEVER;
  }
  return url.origin;
});

const flagsSchema = z
  .strictObject({
    host: z
      .string()
      .refine((host) => isIP(host) !== 0 || host === 'localhost', {
        message: '--host must be an IP address (or localhost).',
      })
      .default('127.0.0.1'),
    port: z
      .string()
      .regex(/^\d{1,5}$/, '--port must be a number from 0 to 65535.')
      .transform(Number)
      .refine((port) => port <= 65_535, '--port must be a number from 0 to 65535.')
      .default(8022),
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
    'min-uid': z
      .string()
      .regex(/^\d{1,10}$/, '--min-uid must be a whole number.')
      .transform(Number)
      .refine((uid) => uid >= 1, '--min-uid must be at least 1 (root is never served).')
      .default(1000),
    'max-user-processes': z
      .string()
      .regex(/^\d{1,4}$/, '--max-user-processes must be a whole number from 1 to 1000.')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 1000, '--max-user-processes must be from 1 to 1000.')
      .default(8),
    'user-process-idle': z
      .string()
      .regex(/^\d{1,5}$/, '--user-process-idle must be a whole number of seconds, 1 to 86400.')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 86_400, '--user-process-idle must be from 1 to 86400.')
      .default(60),
    'user-process-queue': z
      .string()
      .regex(/^\d{1,5}$/, '--user-process-queue must be a whole number from 0 to 10000.')
      .transform(Number)
      .refine((n) => n <= 10_000, '--user-process-queue must be from 0 to 10000.')
      .optional(),
    'max-requests-per-user': z
      .string()
      .regex(/^\d{1,3}$/, '--max-requests-per-user must be a whole number from 1 to 100.')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 100, '--max-requests-per-user must be from 1 to 100.')
      .default(4),
    static: z.string().min(1).optional(),
    'seqera-api': z.array(seqeraApiSchema).default([]),
    'audit-log': z
      .string()
      .min(1, '--audit-log needs a file path, or - for standard output.')
      .optional(),
    help: z.boolean().optional(),
  })
  .superRefine((flags, ctx) => {
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

const tokenSchema = z
  .string()
  .refine(
    (token) =>
      /^[A-Za-z0-9_-]{1,256}$/.test(token) &&
      token.length >= lengthFor128Bits(token) &&
      new Set(token).size >= 10,
    'KEYSMITH_TOKEN must be a random secret of 128 bits or more: at least 22 letters, digits, "-" or "_" (32 if hex digits only), at least 10 of them different, at most 256. Make one with: openssl rand -hex 32',
  );

/** dist/web, next to the compiled server (dist/node/cli/serve-command.js). */
function defaultStaticDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
}

/** The client secret and the session key, or a message saying how to fix the file. */
function readOidcFiles(
  secretFile: string,
  keyFile: string,
): { clientSecret: string; sessionKey: SessionKey } | { error: string } {
  let clientSecret: string;
  try {
    clientSecret = readFileSync(secretFile, 'utf8').trim();
  } catch (error) {
    return {
      error: `Cannot read --oidc-client-secret-file ${secretFile} (${error instanceof Error ? error.message : String(error)}). Put the client secret from your provider in it.`,
    };
  }
  if (clientSecret === '') {
    return {
      error: `--oidc-client-secret-file ${secretFile} is empty. Put the client secret from your provider in it.`,
    };
  }
  try {
    return { clientSecret, sessionKey: loadSessionKey(keyFile) };
  } catch (error) {
    return {
      error: `--session-key-file: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** The flags of `keysmith serve`; a --config file's keys are these names. */
const SERVE_OPTIONS = {
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
  help: { type: 'boolean' },
  config: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type FlagValues = Record<string, string | string[] | boolean | undefined>;

/**
 * Reads `--config FILE`: a JSON object whose keys are flag names without `--` and whose values
 * are what the flag takes (a string or number, a list for a repeatable flag). The flags schema
 * validates the result like any command line.
 */
function readConfigFile(file: string): { values: FlagValues } | { error: string } {
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
    const multiple = 'multiple' in SERVE_OPTIONS[key as keyof typeof SERVE_OPTIONS];
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

/** Parses and validates `serve` arguments; returns the config or an error message for exit 2. */
export function parseServeArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { config: ServerConfig } | { help: true } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: SERVE_OPTIONS,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const { config: configFile, ...commandLine } = values;
  let fromFile: FlagValues = {};
  if (configFile !== undefined) {
    const read = readConfigFile(configFile);
    if ('error' in read) return read;
    fromFile = read.values;
  }
  // The command line wins, also over a repeatable flag's whole list.
  const parsed = flagsSchema.safeParse({ ...fromFile, ...commandLine });
  if (!parsed.success) {
    return { error: parsed.error.issues.map((issue) => issue.message).join('\n') };
  }
  const flags = parsed.data;
  if (flags.help === true) return { help: true };
  let token: string | undefined;
  if (flags.auth === 'local' && env.KEYSMITH_TOKEN !== undefined) {
    const checked = tokenSchema.safeParse(env.KEYSMITH_TOKEN);
    if (!checked.success) return { error: checked.error.issues.map((i) => i.message).join('\n') };
    token = checked.data;
  }
  let oidc: OidcConfig | undefined;
  if (flags.auth === 'oidc') {
    const read = readOidcFiles(
      flags['oidc-client-secret-file'] ?? '',
      flags['session-key-file'] ?? '',
    );
    if ('error' in read) return read;
    oidc = {
      issuer: flags['oidc-issuer'] ?? '',
      clientId: flags['oidc-client-id'] ?? '',
      clientSecret: read.clientSecret,
      userClaim: flags['oidc-user-claim'],
      ...(flags['oidc-user-strip-domain'] === undefined
        ? {}
        : { stripDomain: flags['oidc-user-strip-domain'].toLowerCase() }),
      sessionKey: read.sessionKey,
      sessionHours: flags['session-hours'],
    };
  }
  return {
    config: {
      host: flags.host,
      port: flags.port,
      auth: flags.auth,
      userHeader: flags['user-header'],
      trustedProxies: flags['trusted-proxy'],
      ...(flags['public-url'] === undefined ? {} : { publicUrl: flags['public-url'] }),
      authorizedKeys: flags['authorized-keys'],
      minUid: flags['min-uid'],
      userProcesses: {
        maxProcesses: flags['max-user-processes'],
        idleMs: flags['user-process-idle'] * 1000,
        maxQueue: flags['user-process-queue'] ?? 4 * flags['max-user-processes'],
        maxPerUser: flags['max-requests-per-user'],
      },
      staticDir: path.resolve(flags.static ?? defaultStaticDir()),
      connectSources: flags['seqera-api'],
      ...(token === undefined ? {} : { token }),
      ...(oidc === undefined ? {} : { oidc }),
      ...(flags['audit-log'] === undefined
        ? {}
        : { auditLog: flags['audit-log'] === '-' ? '-' : path.resolve(flags['audit-log']) }),
    },
  };
}

/**
 * Runs `keysmith serve` until SIGINT or SIGTERM. Resolves to the exit code: 0 after a clean
 * stop, 2 for a bad flag, 1 when the server cannot start.
 */
export async function runServe(argv: readonly string[]): Promise<number> {
  const parsed = parseServeArgs(argv, process.env);
  if ('help' in parsed) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if ('error' in parsed) {
    process.stderr.write(
      `keysmith serve: ${parsed.error}\nRun "keysmith serve --help" for the options.\n`,
    );
    return 2;
  }
  let server;
  try {
    server = await startServer(parsed.config);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const hint =
      code === 'EADDRINUSE'
        ? ' The port is taken: choose another with --port N (0 picks a free one).'
        : '';
    process.stderr.write(
      `keysmith serve: cannot start: ${error instanceof Error ? error.message : String(error)}.${hint}\n`,
    );
    return 1;
  }
  if (server.signInUrl !== null && server.user !== null) {
    process.stdout.write(
      `Keysmith is running for ${server.user}: ${server.signInUrl}\nOpen this URL in your browser; each new tab signs in from it. Press Ctrl+C to stop.\n`,
    );
  } else if (parsed.config.auth === 'oidc') {
    process.stdout.write(
      `Keysmith is running in OIDC mode on ${server.origin} (provider ${parsed.config.oidc?.issuer ?? ''}; open at ${parsed.config.publicUrl ?? ''}).\n`,
    );
  } else {
    process.stdout.write(
      `Keysmith is running in proxy mode on ${server.origin} (users from ${parsed.config.userHeader}, trusted proxies: ${parsed.config.trustedProxies.join(', ')}; open at ${parsed.config.publicUrl ?? ''}).\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
