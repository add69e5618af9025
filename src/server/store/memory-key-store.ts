/**
 * A KeyStore over an in-memory authorized_keys text, for the msw mock mode and tests.
 * Platform-neutral: same model as the file store, without the file.
 */
import { addKey, removeKey } from '../keys-file/edits.ts';
import { listIgnoredLines, listModelKeys } from '../keys-file/listing.ts';
import { readModel } from '../keys-file/model.ts';
import type { KeyStore } from './key-store.ts';

/** A KeyStore whose file is a string; `text()` shows the current contents. */
export interface MemoryKeyStore extends KeyStore {
  text(): string;
}

/**
 * Creates an in-memory store holding `initialText` as the file.
 * @param options.path the path reported by `list()` (display only).
 * @param options.now the clock used to mark keys expired when listing.
 * @param options.directoryCacheMinutes listed as a directory store's (`--store ldap`) would be.
 */
export function createMemoryKeyStore(
  initialText = '',
  options: { path?: string; now?: () => Date; directoryCacheMinutes?: number } = {},
): MemoryKeyStore {
  let text = initialText;
  const path = options.path ?? '~/.ssh/authorized_keys';
  const now = options.now ?? (() => new Date());
  return {
    text: () => text,
    list: () =>
      Promise.resolve().then(() => {
        const model = readModel(text);
        return {
          keys: listModelKeys(model, now()),
          ignoredLines: listIgnoredLines(model),
          warnings: [],
          path,
          ...(options.directoryCacheMinutes === undefined
            ? {}
            : { directoryCacheMinutes: options.directoryCacheMinutes }),
        };
      }),
    add: (request, at) =>
      Promise.resolve().then(() => {
        const result = addKey(text, request, at);
        text = result.text;
        return result.key;
      }),
    remove: (fingerprint) =>
      Promise.resolve().then(() => {
        text = removeKey(text, fingerprint);
      }),
  };
}
