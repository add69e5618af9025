/**
 * `keysmith serve`: flags and environment, validated; then the server, until SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer, type OidcConfig, type ServerConfig } from '../server/node/node-server.ts';
import { loadSessionKey, type SessionKey } from '../server/auth/session-cookie.ts';
import { readPolicyFile } from '../server/node/policy-file.ts';
import { readConfigFile, SERVE_OPTIONS, type FlagValues } from './serve-config-file.ts';
import { flagsSchema, tokenSchema } from './serve-flags.ts';
import { SERVE_HELP } from './serve-help.ts';
import { readLdapConfig } from '../server/node/ldap/ldap-flags.ts';
import type { LdapConfig } from '../server/node/ldap/ldap-key-store.ts';

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
  const policy = flags.policy === undefined ? undefined : readPolicyFile(flags.policy);
  if (policy !== undefined && 'error' in policy) return policy;
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
  let ldap: LdapConfig | undefined;
  if (flags.store === 'ldap') {
    const read = readLdapConfig(flags);
    if ('error' in read) return read;
    ldap = read.config;
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
      ...(ldap === undefined ? {} : { ldap }),
      ...(flags['audit-log'] === undefined
        ? {}
        : { auditLog: flags['audit-log'] === '-' ? '-' : path.resolve(flags['audit-log']) }),
      ...(policy === undefined ? {} : { policy: policy.policy }),
      ...(flags['sshd-log'] === undefined
        ? {}
        : {
            sshdLog:
              flags['sshd-log'] === 'journal'
                ? { kind: 'journal' as const }
                : { kind: 'file' as const, path: path.resolve(flags['sshd-log']) },
          }),
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
