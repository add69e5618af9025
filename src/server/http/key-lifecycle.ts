/**
 * What the app adds around the store for a key's lifecycle: the site policy's check of an add
 * request, and the last logins from sshd's log merged into a key list.
 */
import { policyProblems, type Policy } from '../../api/policy.ts';
import type { CreateKeyRequest, ListKeysResponse } from '../../api/ssh-keys.ts';
import { parsePublicKey } from '../../openssh/public-key-line.ts';
import type { LastUse } from '../last-use/last-use-index.ts';

/**
 * Why `policy` refuses the add `request` (the rules' sentences joined), or null. A key the
 * parser refuses is left to the store, which answers with the parser's own message.
 */
export function policyRefusal(policy: Policy, request: CreateKeyRequest, now: Date): string | null {
  let key;
  try {
    key = parsePublicKey(request.publicKey);
  } catch {
    return null;
  }
  const problems = policyProblems(
    policy,
    {
      type: key.type,
      bits: key.bits,
      access: request.access ?? 'restricted',
      expiresAt: request.expiresAt === undefined ? null : new Date(request.expiresAt),
      from: request.from ?? null,
    },
    now,
  );
  return problems.length === 0 ? null : problems.join(' ');
}

/** The list with each key's last login from `uses`, marked as tracked. */
export function withLastUse(
  list: ListKeysResponse,
  uses: ReadonlyMap<string, LastUse>,
): ListKeysResponse {
  return {
    ...list,
    keys: list.keys.map((key) => {
      const use = uses.get(key.fingerprint);
      return use === undefined
        ? key
        : { ...key, lastUsedAt: use.at.toISOString(), lastUsedFrom: use.from };
    }),
    lastUseTracked: true,
  };
}

const TRACKED = new TextEncoder().encode(',"lastUseTracked":true}');

/**
 * A store's cached list body (a JSON object, `}` last) with `"lastUseTracked":true` added as
 * its last field, where `toWireList` puts it: one copy of the bytes, no parse.
 */
export function markTracked(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const marked = new Uint8Array(body.length - 1 + TRACKED.length);
  marked.set(body.subarray(0, body.length - 1));
  marked.set(TRACKED, body.length - 1);
  return marked;
}
