/**
 * What the server and a per-user helper (user-process-helper.pl) say to each other over the
 * helper's stdin and stdout. A request is one ASCII line, `<id> <op>[ <n>]\n`; a write's bytes
 * follow its line. A reply is one JSON line (at most MAX_HEADER_BYTES) with the request's id,
 * the helper's uid and `size`, then exactly `size` bytes (the file's content, or none). Anything
 * else is garbage: the reader throws, and the pool kills the helper.
 */
import { constants } from 'node:os';
import * as z from 'zod/mini';

/** The largest authorized_keys a helper reads or writes (16 MiB, about 150,000 keys). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

/** What a helper does: read with the StrictModes facts; lock and read; write and unlock; unlock. */
export type HelperRequest =
  | { op: 'read' }
  | { op: 'lock'; waitMs: number }
  | { op: 'write'; bytes: Uint8Array }
  | { op: 'unlock' };

/** The bytes of request `id` on the helper's stdin. */
export function encodeRequest(id: number, request: HelperRequest): Buffer {
  switch (request.op) {
    case 'read':
    case 'unlock':
      return Buffer.from(`${id} ${request.op}\n`);
    case 'lock':
      return Buffer.from(`${id} lock ${Math.max(0, Math.round(request.waitMs))}\n`);
    case 'write':
      if (request.bytes.length > MAX_FILE_BYTES) {
        throw new RangeError(`A helper writes at most ${MAX_FILE_BYTES} bytes.`);
      }
      return Buffer.concat([Buffer.from(`${id} write ${request.bytes.length}\n`), request.bytes]);
    default:
      return request satisfies never;
  }
}

const count = z.number().check(z.int(), z.minimum(0));
/** A system errno as its number, or one of the helper's own names (ELOCKED, ENOTREG, ...). */
const errnoValue = z.union([
  z.string().check(z.regex(/^E[A-Z0-9]{1,15}$/)),
  count.check(z.maximum(4095)),
]);

const errnoNames = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** The errno code a helper reported (`ENOENT`), as Node names system errors. */
export function errnoName(value: string | number): string {
  return typeof value === 'string' ? value : (errnoNames.get(value) ?? `errno ${value}`);
}

const fileFactsSchema = z.union([
  z.strictObject({ errno: errnoValue }),
  z.strictObject({ type: z.enum(['file', 'link', 'other']), mode: count, uid: count }),
]);

const dirFactsSchema = z.strictObject({
  path: z.string().check(z.regex(/^(?:[0-9a-f]{2})+$/)),
  home: z.boolean(),
  mode: count,
  uid: count,
});

/** One reply line; `read` is `ok` (the bytes follow) or why the file could not be read. */
export const helperReplySchema = z.union([
  z.strictObject({
    id: count,
    uid: count,
    ok: z.literal(true),
    file: fileFactsSchema,
    dirs: z.array(dirFactsSchema).check(z.maxLength(256)),
    read: z.union([z.literal('ok'), errnoValue]),
    size: count.check(z.maximum(MAX_FILE_BYTES)),
  }),
  z.strictObject({
    id: count,
    uid: count,
    ok: z.literal(true),
    read: z.union([z.literal('ok'), z.literal('ENOENT')]),
    size: count.check(z.maximum(MAX_FILE_BYTES)),
  }),
  z.strictObject({ id: count, uid: count, ok: z.literal(true), size: z.literal(0) }),
  z.strictObject({
    id: count,
    uid: count,
    ok: z.literal(false),
    errno: errnoValue,
    action: z.enum(['creating', 'locking', 'reading', 'writing', 'syncing the directory of']),
    size: z.literal(0),
  }),
]);
export type HelperReplyHeader = z.infer<typeof helperReplySchema>;

export interface HelperReply {
  header: HelperReplyHeader;
  bytes: Buffer;
}

/** Cuts a helper's stdout into replies; throws on anything that is not one. */
export function createReplyReader(): (chunk: Buffer) => HelperReply[] {
  let pending: Buffer = Buffer.alloc(0);
  let header: HelperReplyHeader | null = null;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const replies: HelperReply[] = [];
    for (;;) {
      if (header === null) {
        const end = pending.indexOf(10);
        if (end === -1) {
          if (pending.length > MAX_HEADER_BYTES) throw new Error('reply line too long');
          return replies;
        }
        if (end > MAX_HEADER_BYTES) throw new Error('reply line too long');
        header = helperReplySchema.parse(JSON.parse(pending.subarray(0, end).toString('utf8')));
        pending = pending.subarray(end + 1);
      }
      if (pending.length < header.size) return replies;
      replies.push({ header, bytes: Buffer.from(pending.subarray(0, header.size)) });
      pending = pending.subarray(header.size);
      header = null;
    }
  };
}
