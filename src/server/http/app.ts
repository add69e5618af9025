/**
 * The HTTP app: every /api route and its validation, built from injected parts (identity,
 * store, clock, static files); errors.ts maps failures, security-headers.ts sets the headers.
 * Platform-neutral (no `node:`): the Node server and the msw mock run this very app.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { NO_POLICY, type Policy } from '../../api/policy.ts';
import {
  createKeyRequestSchema,
  errorResponseSchema,
  toWireKey,
  toWireList,
  type MeResponseWire,
} from '../../api/ssh-keys.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { parsePublicKey } from '../../openssh/public-key-line.ts';
import type { AuditEvent } from './audit-event.ts';
import { describeIssues, errorBody, mapError } from './errors.ts';
import { markTracked, policyRefusal, withLastUse } from './key-lifecycle.ts';
import { securityHeaders, withHeaders } from './security-headers.ts';
import type { KeyStore } from '../store/key-store.ts';
import type { LastUse } from '../last-use/last-use-index.ts';

/** Who is asking, as established by the injected authentication. */
export interface Identity {
  user: string;
  mode: 'local' | 'proxy' | 'oidc' | 'mock';
}

/** Why a request was not let in; the message tells the person what to do. */
export interface AuthFailure {
  status: 401 | 403;
  code: 'unauthorized' | 'forbidden';
  message: string;
}

export interface AppDeps {
  /** Decides who sends an /api request, or why it is refused (token, proxy header, CSRF, Host). */
  authenticate(request: Request): Promise<Identity | AuthFailure>;
  /** The authorized_keys of this user. */
  storeFor(user: string): KeyStore;
  now(): Date;
  /**
   * Runs first for every non-/api request: may answer it (a sign-in redirect, a refused Host)
   * or return null to go on to the static files.
   */
  pageGate?(request: Request): Response | null | Promise<Response | null>;
  /** Serves the built web app for non-/api GET and HEAD requests; null when there is no such file. */
  staticFiles?(request: Request): Promise<Response | null>;
  /** Largest accepted request body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Origins the page may call besides its own (CSP connect-src), e.g. a Seqera Platform API. */
  connectSources?: readonly string[];
  /** Receives one event per change and per refused change (`--audit-log`). */
  audit?: (event: AuditEvent) => void;
  /** The client's address for the audit trail: the peer, or a trusted proxy's X-Forwarded-For. */
  clientAddress?: (request: Request) => string | null;
  /**
   * Runs before `/healthz` answers: may refuse it (local mode's Host check) or return null.
   * Without it, `/healthz` answers everyone: it says nothing about users.
   */
  healthGate?(request: Request): Response | null;
  /** The site's limits on added keys (`--policy`), checked before the store sees an add. */
  policy?: Policy;
  /** The user's latest logins by key fingerprint, from sshd's log (`--sshd-log`). */
  lastUse?: (user: string) => ReadonlyMap<string, LastUse>;
}

/** `SHA256:` and 43 characters of unpadded base64, as `ssh-keygen -l` prints it. */
const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

function isAuthFailure(result: Identity | AuthFailure): result is AuthFailure {
  return 'status' in result;
}

/** What a change handler learned about the key, for the audit trail. */
type AuditDetails = Pick<AuditEvent, 'fingerprint' | 'keyType' | 'name' | 'access' | 'expiresAt'>;

type Env = { Variables: { identity: Identity; audit: Partial<AuditDetails> } };

/** The key a validated add request names, or nulls when it cannot be read (the add fails too). */
function keyOfRequest(publicKey: string): Pick<AuditDetails, 'fingerprint' | 'keyType'> {
  try {
    const key = parsePublicKey(publicKey);
    return { fingerprint: fingerprintSha256(key.blob), keyType: key.type };
  } catch {
    return { fingerprint: null, keyType: null };
  }
}

async function errorCodeOf(response: Response): Promise<string | null> {
  if (response.status < 400) return null;
  try {
    const body = errorResponseSchema.safeParse(await response.clone().json());
    return body.success ? body.data.error.code : 'unknown';
  } catch {
    return 'unknown';
  }
}

function methodNotAllowed(allow: string) {
  return (c: Context<Env>) => {
    c.header('Allow', allow);
    return c.json(errorBody('bad-request', `Use ${allow} on ${c.req.path}.`), 405);
  };
}

/**
 * Builds the Keysmith HTTP app.
 *
 * API (see README "API"): GET /api/me, GET /api/policy, GET /api/ssh-keys, POST /api/ssh-keys,
 * DELETE /api/ssh-keys/{fingerprint}. Everything else under /api is 404; other paths go to the
 * page gate and the static files.
 */
export function createApp(deps: AppDeps): Hono<Env> {
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  const headers = securityHeaders(deps.connectSources ?? []);
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    await next();
    const response = withHeaders(c.res, c.req.path, headers);
    // Assigning c.res makes Hono copy the response (and read its body through a stream): for
    // the 3 MB key list of a 10,000-line file, a copy per request. Only a new object needs it.
    if (response !== c.res) c.res = response;
  });

  app.onError((error, c) => {
    const { status, body, retryAfterSeconds } = mapError(error);
    if (retryAfterSeconds !== undefined) c.header('Retry-After', String(retryAfterSeconds));
    return c.json(body, status);
  });

  app.get('/healthz', (c) => {
    const refusal = deps.healthGate?.(c.req.raw) ?? null;
    if (refusal !== null) return refusal;
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });

  const { audit } = deps;
  if (audit !== undefined) {
    // Registered before authentication, so a change refused at sign-in is recorded too.
    app.use('/api/ssh-keys/*', async (c, next) => {
      if (c.req.method !== 'POST' && c.req.method !== 'DELETE') return next();
      await next();
      // Unset when the request was refused before its handler read it.
      const details = (c.get('audit') as Partial<AuditDetails> | undefined) ?? {};
      let fingerprint = details.fingerprint ?? null;
      if (c.req.method === 'DELETE') {
        const last = c.req.path.slice(c.req.path.lastIndexOf('/') + 1);
        let decoded = '';
        try {
          decoded = decodeURIComponent(last);
        } catch {
          // A broken % escape names no key.
        }
        fingerprint = FINGERPRINT_PATTERN.test(decoded) ? decoded : null;
      }
      const status = c.res.status;
      audit({
        time: deps.now().toISOString(),
        user: (c.get('identity') as Identity | undefined)?.user ?? null,
        action: c.req.method === 'POST' ? 'add' : 'delete',
        fingerprint,
        keyType: details.keyType ?? null,
        name: details.name ?? null,
        access: details.access ?? null,
        expiresAt: details.expiresAt ?? null,
        source: deps.clientAddress?.(c.req.raw) ?? null,
        result: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
        status,
        error: await errorCodeOf(c.res),
      });
    });
  }

  app.use('/api/*', async (c, next) => {
    const result = await deps.authenticate(c.req.raw);
    if (isAuthFailure(result)) {
      return c.json(errorBody(result.code, result.message), result.status);
    }
    c.set('identity', result);
    await next();
    return undefined;
  });

  app.get('/api/me', (c) => {
    const { user, mode } = c.get('identity');
    const seqeraApis = deps.connectSources ?? [];
    return c.json({
      user,
      mode,
      ...(seqeraApis.length === 0 ? {} : { seqeraApis: [...seqeraApis] }),
    } satisfies MeResponseWire);
  });

  app.get('/api/policy', (c) => c.json(deps.policy ?? NO_POLICY));

  app.get('/api/ssh-keys', async (c) => {
    const { user } = c.get('identity');
    const store = deps.storeFor(user);
    const uses = deps.lastUse?.(user);
    if (store.listBody !== undefined && (uses === undefined || uses.size === 0)) {
      // Same body as c.json(toWireList(list())), serialized by the store once per file
      // content. Handed over as one Uint8Array, which the Node adapter writes to the socket as
      // it is.
      const body = await store.listBody();
      return c.body(uses === undefined ? body : markTracked(body), 200, {
        'Content-Type': 'application/json',
      });
    }
    const list = await store.list();
    return c.json(toWireList(uses === undefined ? list : withLastUse(list, uses)));
  });

  const tooLarge = (c: Context<Env>) =>
    c.json(
      errorBody(
        'too-large',
        `The request body is over ${maxBodyBytes} bytes. Send one public key line.`,
      ),
      413,
    );
  const limitBody = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });

  app.post(
    '/api/ssh-keys',
    async (c, next) => {
      const type = c.req.header('Content-Type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        return c.json(
          errorBody(
            'unsupported-media-type',
            'Send the request body as JSON (Content-Type: application/json).',
          ),
          415,
        );
      }
      await next();
      return undefined;
    },
    async (c, next) => {
      // A declared length is checked without touching the body, which the Node adapter then
      // reads straight from the socket. Hono's bodyLimit reads `request.body` even then, which
      // makes the adapter build a full web Request and stream the body through it (about
      // 3 ms of a POST here). Without a length (chunked), bodyLimit counts while it reads.
      const length = c.req.header('Content-Length');
      if (length === undefined || c.req.header('Transfer-Encoding') !== undefined) {
        return limitBody(c, next);
      }
      if (!/^\d{1,15}$/.test(length) || Number(length) > maxBodyBytes) return tooLarge(c);
      await next();
      return undefined;
    },
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json(errorBody('bad-request', 'The request body is not valid JSON.'), 400);
      }
      const parsed = createKeyRequestSchema.safeParse(body);
      if (!parsed.success) {
        return c.json(errorBody('bad-request', describeIssues(parsed.error.issues)), 400);
      }
      if (audit !== undefined) {
        c.set('audit', {
          ...keyOfRequest(parsed.data.publicKey),
          name: parsed.data.name ?? null,
          access: parsed.data.access,
          expiresAt: parsed.data.expiresAt ?? null,
        });
      }
      const now = deps.now();
      const refusal =
        deps.policy === undefined ? null : policyRefusal(deps.policy, parsed.data, now);
      if (refusal !== null) return c.json(errorBody('policy', refusal), 400);
      const key = await deps.storeFor(c.get('identity').user).add(parsed.data, now);
      return c.json({ key: toWireKey(key) }, 201);
    },
  );

  app.delete('/api/ssh-keys/:fingerprint', async (c) => {
    const fingerprint = c.req.param('fingerprint');
    if (!FINGERPRINT_PATTERN.test(fingerprint)) {
      return c.json(
        errorBody(
          'bad-request',
          'That is not a SHA256 fingerprint. Use the "SHA256:…" value from the key list, URL-encoded.',
        ),
        400,
      );
    }
    await deps.storeFor(c.get('identity').user).remove(fingerprint);
    return c.body(null, 204);
  });

  app.all('/api/me', methodNotAllowed('GET'));
  app.all('/api/policy', methodNotAllowed('GET'));
  app.all('/api/ssh-keys', methodNotAllowed('GET, POST'));
  app.all('/api/ssh-keys/:fingerprint', methodNotAllowed('DELETE'));
  app.all('/api/*', (c) =>
    c.json(errorBody('not-found', `There is no API at ${c.req.path}. See the README, "API".`), 404),
  );
  app.all('/api', (c) =>
    c.json(errorBody('not-found', `There is no API at ${c.req.path}. See the README, "API".`), 404),
  );

  app.all('*', async (c) => {
    const gate = await deps.pageGate?.(c.req.raw);
    if (gate != null) return gate;
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && deps.staticFiles !== undefined) {
      const response = await deps.staticFiles(c.req.raw);
      if (response !== null) return response;
    }
    return c.text('Not found.', 404);
  });

  return app;
}
