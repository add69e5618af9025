/**
 * Proxy mode as root: a KeyStore whose file system calls run in the user's helper of a pool
 * (user-process-pool.ts, user-process-helper.pl), as the user; this process keeps the parsing,
 * composing and StrictModes rules, and never opens a file in a home. A list is one `read`; a
 * change is `lock` (the helper takes the file's lock and reads under it), the edit here, then
 * `write` (the helper replaces the file atomically and unlocks) or `unlock`.
 */
import type {
  CreateKeyRequest,
  FileWarning,
  ListKeysResponse,
  SshKey,
} from '../../../api/ssh-keys.ts';
import { addKeyToModel, removeKeyFromModel } from '../../keys-file/edits.ts';
import type { AuthorizedKeysModel } from '../../keys-file/model.ts';
import { KeyStoreError, type KeyStore } from '../../store/key-store.ts';
import { fileError } from '../file-store/errno-advice.ts';
import {
  editBytes,
  listBodyOfBytes,
  listOfBytes,
  unreadableWarning,
} from '../file-store/keys-file-answers.ts';
import { strictModesWarningsOf, type StrictModesTarget } from '../file-store/strict-modes.ts';
import type { Account } from '../system-users.ts';
import {
  createUserProcessPool,
  type HelperAnswer,
  type HelperChannel,
  type UserProcessPool,
} from './user-process-pool.ts';
import { errnoName, MAX_FILE_BYTES, type HelperReplyHeader } from './user-process-protocol.ts';

/** How long a change waits for a lock another writer holds (as the local file store). */
const LOCK_WAIT_MS = 15_000;
const EMPTY = Buffer.alloc(0);

function unexpectedReply(): KeyStoreError {
  return new KeyStoreError(
    'internal',
    500,
    'The user process answered out of protocol; the file is either unchanged or fully changed. List your keys to see which, then retry.',
  );
}

/** A helper's failure as the local store would report the same errno. */
function helperFailure(
  header: Extract<HelperReplyHeader, { ok: false }>,
  file: string,
): KeyStoreError {
  const errno = errnoName(header.errno);
  switch (errno) {
    case 'ENOTREG':
      return new KeyStoreError(
        'file-error',
        409,
        `${file} is not a regular file. Move it away and try again.`,
      );
    case 'EFBIG':
      return tooLarge(file);
    case 'ETIMEDOUT':
      return new KeyStoreError(
        'busy',
        503,
        `The change to ${file} took too long under its lock and was not written. Retry in a moment.`,
        undefined,
        2,
      );
    case 'ENOLCK':
    case 'EBUSY':
      return unexpectedReply();
    default: {
      const target = header.action === 'creating' ? file.replace(/\/[^/]*$/, '') || '/' : file;
      const error = Object.assign(new Error(errno), { code: errno });
      return fileError(error, header.action, target);
    }
  }
}

function tooLarge(file: string): KeyStoreError {
  return new KeyStoreError(
    'file-error',
    409,
    `${file} is over ${MAX_FILE_BYTES / 1024 / 1024} MiB, more than Keysmith reads or writes. Remove lines you no longer need with an editor, then retry.`,
  );
}

/** The bytes to list (empty: no file, a link, not a file, unreadable) and the warnings. */
async function readForList(
  helper: HelperChannel,
  target: StrictModesTarget,
): Promise<{ bytes: Buffer; warnings: FileWarning[] }> {
  const { header, bytes } = await helper.request({ op: 'read' });
  if (!header.ok || !('file' in header)) throw unexpectedReply();
  const dirs = header.dirs.map((dir) => ({
    path: Buffer.from(dir.path, 'hex').toString('utf8'),
    isHome: dir.home,
    mode: dir.mode,
    uid: dir.uid,
  }));
  const file = 'errno' in header.file ? { errno: errnoName(header.file.errno) } : header.file;
  const read = header.read === 'ok' ? 'ok' : errnoName(header.read);
  const warnings = strictModesWarningsOf(target, { file, dirs });
  switch (read) {
    case 'ok':
      return { bytes, warnings };
    // The warnings say what is wrong with a link or a file that is not one.
    case 'ENOENT':
    case 'ELOOP':
    case 'ENOTREG':
      return { bytes: EMPTY, warnings };
    case 'EACCES':
    case 'EPERM':
      warnings.push(unreadableWarning(target.path, target.user));
      return { bytes: EMPTY, warnings };
    case 'EFBIG':
      throw tooLarge(target.path);
    default:
      throw fileError(Object.assign(new Error(read), { code: read }), 'reading', target.path);
  }
}

/** Read, edit and write under the file's lock, all in the helper but the edit. */
async function change<T>(
  helper: HelperChannel,
  file: string,
  edit: (model: AuthorizedKeysModel) => { model: AuthorizedKeysModel; result: T },
): Promise<T> {
  const locked = await helper.request({ op: 'lock', waitMs: LOCK_WAIT_MS });
  if (!locked.header.ok) throw helperFailure(locked.header, file);
  let next: ReturnType<typeof editBytes<T>>;
  try {
    next = editBytes(file, locked.bytes, edit);
    if (next.bytes.length > MAX_FILE_BYTES) throw tooLarge(file);
  } catch (error) {
    await helper.request({ op: 'unlock' });
    throw error;
  }
  const written = await helper.request({ op: 'write', bytes: next.bytes });
  if (!written.header.ok) throw helperFailure(written.header, file);
  next.written();
  return next.result;
}

/** A key operation as the API asks for it. */
export type KeyOperation =
  | { op: 'list'; now: Date }
  | { op: 'add'; request: CreateKeyRequest; now: Date }
  | { op: 'remove'; fingerprint: string };

type KeyResult<O extends KeyOperation> = O extends { op: 'list' }
  ? ListKeysResponse
  : O extends { op: 'add' }
    ? SshKey
    : undefined;

/** Runs one key operation on `path` as `account`, in its helper of `pool`. */
export function runKeyOperation<O extends KeyOperation>(
  pool: UserProcessPool,
  account: Account,
  path: string,
  operation: O,
): Promise<HelperAnswer<KeyResult<O>>> {
  const target = { path, home: account.home, user: account.name, uid: account.uid };
  return pool.run(account, path, async (helper) => {
    switch (operation.op) {
      case 'list': {
        const { bytes, warnings } = await readForList(helper, target);
        return listOfBytes(path, bytes, warnings, operation.now) as KeyResult<O>;
      }
      case 'add':
        return (await change(helper, path, (model) => {
          const { model: next, key } = addKeyToModel(model, operation.request, operation.now);
          return { model: next, result: key };
        })) as KeyResult<O>;
      case 'remove':
        return (await change(helper, path, (model) => ({
          model: removeKeyFromModel(model, operation.fingerprint),
          result: undefined,
        }))) as KeyResult<O>;
      default:
        return operation satisfies never;
    }
  });
}

/** A KeyStore for `account` whose file work runs as that account in its helper of `pool`. */
export function createUserProcessKeyStore(
  pool: UserProcessPool,
  account: Account,
  path: string,
  now: () => Date = () => new Date(),
): KeyStore {
  const target = { path, home: account.home, user: account.name, uid: account.uid };
  return {
    list: async () =>
      (await runKeyOperation(pool, account, path, { op: 'list', now: now() })).result,
    // As the local file store: the body is made once per file content, warnings and clock span.
    listBody: async () => {
      const { result } = await pool.run(account, path, (helper) => readForList(helper, target));
      return listBodyOfBytes(path, result.bytes, result.warnings, now());
    },
    add: async (request, at) =>
      (await runKeyOperation(pool, account, path, { op: 'add', request, now: at })).result,
    remove: async (fingerprint) => {
      await runKeyOperation(pool, account, path, { op: 'remove', fingerprint });
    },
  };
}

/** One request in a helper of its own, which then exits: for tests of the privilege drop. */
export type ChildRequest =
  | { op: 'list'; account: Account; path: string }
  | { op: 'add'; account: Account; path: string; request: CreateKeyRequest; now: string }
  | { op: 'remove'; account: Account; path: string; fingerprint: string };

/** Runs one request in a fresh helper of a pool of one, and returns its result. */
export async function runInUserProcess(request: ChildRequest): Promise<unknown> {
  const pool = createUserProcessPool({ maxProcesses: 1 });
  const { account, path } = request;
  const operation: KeyOperation =
    request.op === 'list'
      ? { op: 'list', now: new Date() }
      : request.op === 'add'
        ? { op: 'add', request: request.request, now: new Date(request.now) }
        : { op: 'remove', fingerprint: request.fingerprint };
  try {
    return (await runKeyOperation(pool, account, path, operation)).result;
  } finally {
    await pool.close();
  }
}
