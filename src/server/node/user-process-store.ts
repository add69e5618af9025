/**
 * Proxy mode as root: a KeyStore whose every operation runs in a short-lived child process that
 * has dropped to the user's uid, gid and supplementary groups (user-process-child.ts). Root
 * never opens a file in a user's home.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  errorCodeSchema,
  listKeysResponseSchema,
  sshKeySchema,
  type ErrorCode,
} from '../../api/ssh-keys.ts';
import { KeyStoreError, type ErrorStatus, type KeyStore } from '../store/key-store.ts';
import type { Account } from './system-users.ts';
import type { ChildRequest } from './user-process-child.ts';

const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: errorCodeSchema, status: z.number().int(), message: z.string() }),
  }),
]);

const STATUSES: readonly ErrorStatus[] = [400, 401, 403, 404, 405, 409, 413, 415, 500, 503];

/** The child entry next to this module: `.ts` under tsx in tests, `.js` once compiled. */
function childCommand(): { script: string; execArgv: string[] } {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    return {
      script: fileURLToPath(new URL('./user-process-child.ts', self)),
      execArgv: ['--import', 'tsx'],
    };
  }
  return { script: fileURLToPath(new URL('./user-process-child.js', self)), execArgv: [] };
}

/** Runs one request in a privilege-dropped child and returns its result. */
export function runInUserProcess(request: ChildRequest, timeoutMs = 30_000): Promise<unknown> {
  const { script, execArgv } = childCommand();
  return new Promise((resolve, reject) => {
    // --optimize-for-size as for `keysmith serve` (main.ts): listing a 10,000-line file peaks
    // at about 88 MB instead of 115 MB in this short-lived process.
    const child = spawn(process.execPath, ['--optimize-for-size', ...execArgv, script], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        PATH: '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        ...(process.env.TZ === undefined ? {} : { TZ: process.env.TZ }),
      },
      // tsx (tests only) resolves from the working directory; the compiled child needs none.
      cwd: execArgv.length > 0 ? process.cwd() : '/',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', (error) => {
      reject(
        new KeyStoreError('internal', 500, `Could not start the user process: ${error.message}`),
      );
    });
    child.on('close', (code, signal) => {
      let reply;
      try {
        reply = replySchema.parse(JSON.parse(Buffer.concat(out).toString('utf8')));
      } catch {
        reject(
          new KeyStoreError(
            'internal',
            500,
            `The user process ended without an answer (exit ${code ?? signal ?? 'unknown'}). The server log has the details.`,
          ),
        );
        return;
      }
      if (reply.ok) {
        resolve(reply.result);
        return;
      }
      const status = STATUSES.find((s) => s === reply.error.status) ?? 500;
      reject(new KeyStoreError(reply.error.code satisfies ErrorCode, status, reply.error.message));
    });
    // A child that dies before reading its request must not take the server down with EPIPE;
    // its exit is reported by the close handler above.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(request));
  });
}

/** A KeyStore for `account` whose file work runs as that account in a child process. */
export function createUserProcessKeyStore(account: Account, path: string): KeyStore {
  return {
    list: async () =>
      listKeysResponseSchema.parse(await runInUserProcess({ op: 'list', account, path })),
    add: async (request, now) =>
      sshKeySchema.parse(
        await runInUserProcess({ op: 'add', account, path, request, now: now.toISOString() }),
      ),
    remove: async (fingerprint) => {
      await runInUserProcess({ op: 'remove', account, path, fingerprint });
    },
  };
}
