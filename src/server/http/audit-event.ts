/**
 * One line of the audit trail (`--audit-log`): a change to an authorized_keys file, or a refused
 * attempt at one. Only what says who did what to which key: never key material, tokens,
 * cookies or passphrases. Platform-neutral: the app makes events, the Node server writes them.
 */
import * as z from 'zod/mini';

export const auditEventSchema = z.strictObject({
  /** When the answer was given, ISO 8601 UTC. */
  time: z.iso.datetime(),
  /** The user whose file was (to be) changed; null when the request was refused before that was known. */
  user: z.nullable(z.string()),
  action: z.enum(['add', 'delete']),
  /** `SHA256:…` of the key, when the request named one Keysmith could read. */
  fingerprint: z.nullable(z.string()),
  keyType: z.nullable(z.string()),
  name: z.nullable(z.string()),
  access: z.nullable(z.enum(['restricted', 'interactive', 'full'])),
  expiresAt: z.nullable(z.string()),
  /** The client's address: the connection's peer, or the trusted proxy's X-Forwarded-For. */
  source: z.nullable(z.string()),
  /** ok: the file changed; refused: a 4xx, the file unchanged; failed: a 5xx. */
  result: z.enum(['ok', 'refused', 'failed']),
  status: z.number(),
  /** The error body's code (`duplicate`, `bad-request`, …); null when the change went through. */
  error: z.nullable(z.string()),
});

export type AuditEvent = z.infer<typeof auditEventSchema>;
