import { createContext, useCallback, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { Kdf } from '../../crypto/kdf.ts';
import { createWorkerKdfRunner, type KdfRunner } from './worker-kdf.ts';

/**
 * How the page gets its bcrypt_pbkdf: Web Workers in the browser; tests (jsdom has no Worker)
 * provide an in-thread runner instead.
 */
const KdfRunnerFactoryContext = createContext<() => KdfRunner>(() => createWorkerKdfRunner());

export function KdfRunnerProvider({
  createRunner,
  children,
}: {
  createRunner: () => KdfRunner;
  children: ReactNode;
}) {
  return <KdfRunnerFactoryContext value={createRunner}>{children}</KdfRunnerFactoryContext>;
}

/**
 * A Kdf whose workers start when the calling component mounts (the dialog opens, so they are
 * loaded and warm by the time the user clicks) and end when it unmounts.
 */
export function useKdf(): Kdf {
  const createRunner = useContext(KdfRunnerFactoryContext);
  const runner = useRef<KdfRunner | null>(null);
  useEffect(() => {
    runner.current = createRunner();
    return () => {
      runner.current?.dispose();
      runner.current = null;
    };
  }, [createRunner]);
  return useCallback<Kdf>(
    (passphrase, salt, rounds, keyLength) => {
      runner.current ??= createRunner();
      return runner.current.kdf(passphrase, salt, rounds, keyLength);
    },
    [createRunner],
  );
}
