/**
 * `--max-requests-per-user` for the stores that need no helper process (`--store ldap`): the
 * same bound and the same 429 the helper pool gives, so one user's flood cannot hold the
 * directory connections.
 */
import { KeyStoreError } from '../../store/key-store.ts';

/** Admits a request of `user`, returning its release, or throws 429 past `max` in flight. */
export function createRequestLimit(max: number): (user: string) => () => void {
  const inFlight = new Map<string, number>();
  return (user) => {
    const count = inFlight.get(user) ?? 0;
    if (count >= max) {
      throw new KeyStoreError(
        'too-many-requests',
        429,
        'Too many requests from you at once; wait a moment and retry.',
        undefined,
        1,
      );
    }
    inFlight.set(user, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (inFlight.get(user) ?? 1) - 1;
      if (left === 0) inFlight.delete(user);
      else inFlight.set(user, left);
    };
  };
}
