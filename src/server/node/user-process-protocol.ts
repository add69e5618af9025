/**
 * What the server and a per-user helper process (user-process-child.ts) say to each other.
 * The helper is started with one argument, its start message (the account and the file); then
 * each request is one JSON line on its stdin with an id, each reply one JSON line on its stdout
 * with the same id and the uid the helper runs as. zod/mini, as in src/api: the helper loads
 * only what it parses with.
 */
import * as z from 'zod/mini';
import { createKeyRequestSchema, errorCodeSchema } from '../../api/ssh-keys.ts';
import { USER_NAME_PATTERN } from './system-users.ts';

export const helperAccountSchema = z.strictObject({
  name: z.string().check(z.regex(USER_NAME_PATTERN)),
  uid: z.number().check(z.int(), z.minimum(1)),
  gid: z.number().check(z.int(), z.minimum(0)),
  home: z.string().check(z.startsWith('/')),
});

/** The helper's one command-line argument: who it becomes, and the one file it serves. */
export const helperStartSchema = z.strictObject({
  account: helperAccountSchema,
  path: z.string().check(z.startsWith('/')),
});
export type HelperStart = z.infer<typeof helperStartSchema>;

const id = z.number().check(z.int(), z.minimum(0));

export const helperRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ id, op: z.literal('list') }),
  z.strictObject({
    id,
    op: z.literal('add'),
    request: createKeyRequestSchema,
    now: z.iso.datetime(),
  }),
  z.strictObject({ id, op: z.literal('remove'), fingerprint: z.string() }),
]);
export type HelperRequest = z.input<typeof helperRequestSchema>;
/** A request without its id: what a caller of the pool asks for. */
export type HelperOperation = HelperRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id'>
    : never
  : never;

export const helperErrorSchema = z.object({
  code: errorCodeSchema,
  status: z.number().check(z.int()),
  message: z.string(),
});

export const helperReplySchema = z.discriminatedUnion('ok', [
  z.object({ id, uid: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id, uid: z.number(), ok: z.literal(false), error: helperErrorSchema }),
]);
export type HelperReply = z.infer<typeof helperReplySchema>;
