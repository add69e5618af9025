/**
 * A CLI-like writer for the reliability suite: a separate process that changes one
 * authorized_keys through the file store, as another `keysmith` process or a script would.
 *
 * Argument: one JSON job. Prints `ready` once loaded, waits for `startAt` (epoch ms) when given,
 * then runs the operations in order and prints `ack N` right after operation N returned (so an
 * acknowledged change is on disk), or `fail N CODE` when the store refused it. With `loop`, runs
 * the operations again and again (numbering on) until killed.
 */
import { z } from 'zod';
import { createFileKeyStore } from '../../server/node/file-store/file-key-store.ts';
import { KeyStoreError } from '../../server/store/key-store.ts';

const jobSchema = z.strictObject({
  path: z.string().startsWith('/'),
  home: z.string().startsWith('/'),
  now: z.iso.datetime(),
  startAt: z.number().optional(),
  loop: z.boolean().optional(),
  ops: z.array(
    z.discriminatedUnion('op', [
      z.strictObject({ op: z.literal('add'), publicKey: z.string(), name: z.string().optional() }),
      z.strictObject({ op: z.literal('remove'), fingerprint: z.string() }),
    ]),
  ),
});

const job = jobSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const store = createFileKeyStore({ path: job.path, home: job.home, user: 'writer' });
const now = new Date(job.now);
process.stdout.write('ready\n');
if (job.startAt !== undefined) {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (job.startAt ?? 0) - Date.now())));
}
let n = 0;
do {
  for (const op of job.ops) {
    try {
      if (op.op === 'add') {
        await store.add(
          { publicKey: op.publicKey, ...(op.name === undefined ? {} : { name: op.name }) },
          now,
        );
      } else {
        await store.remove(op.fingerprint);
      }
      process.stdout.write(`ack ${n}\n`);
    } catch (error) {
      const code = error instanceof KeyStoreError ? error.code : 'internal';
      process.stdout.write(`fail ${n} ${code}\n`);
      if (!(error instanceof KeyStoreError)) process.stderr.write(`${String(error)}\n`);
    }
    n += 1;
  }
} while (job.loop === true);
