import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Kdf } from '../../crypto/private-key.ts';
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
 * warm by the time the user clicks) and end when it unmounts.
 */
export function useKdf(): Kdf | null {
  const createRunner = useContext(KdfRunnerFactoryContext);
  const [kdf, setKdf] = useState<Kdf | null>(null);
  useEffect(() => {
    const runner = createRunner();
    setKdf(() => runner.kdf);
    return () => {
      runner.dispose();
    };
  }, [createRunner]);
  return kdf;
}
