import { useEffect, useState } from 'react';
import { ed25519PublicBlob, generateEd25519KeyPair } from '../../../crypto/keygen.ts';
import { encodePrivateKey } from '../../../crypto/private-key.ts';
import { fingerprintSha256, formatPublicKey } from '../../../crypto/public-key.ts';
import { randomart } from '../../../crypto/randomart.ts';
import { useKdf } from '../../crypto/kdf-context.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { toCreateOptions, type KeyOptionsValue } from './key-options.ts';
import { useCreateKey, useDeleteKey } from './use-ssh-key-mutations.ts';

/** Where a generation stands; anything but "idle" means busy. */
export type GeneratePhase = 'idle' | 'generating' | 'encrypting' | 'saving';

/**
 * Key generation as the SSH Keys page and the onboarding flow both do it: an ed25519 pair made
 * in this browser, the private half encrypted here (bcrypt_pbkdf in Web Workers, through
 * useKdf), and only the public line and the options POSTed. Call `generate` only with options
 * that passed validateKeyOptions.
 */
export function useGenerateKey() {
  const kdf = useKdf();
  const createKey = useCreateKey();
  const deleteKey = useDeleteKey();
  useEffect(() => {
    // The first WebCrypto Ed25519 call in a tab costs milliseconds; pay them before the click.
    generateEd25519KeyPair().then(
      (pair) => pair.seed.fill(0),
      () => undefined,
    );
  }, []);
  const [phase, setPhase] = useState<GeneratePhase>('idle');
  const [failure, setFailure] = useState<string | null>(null);

  /** Resolves to the new key, or to null after a failure (whose message is in `failure`). */
  async function generate(options: KeyOptionsValue, passphrase: string, now: Date) {
    setFailure(null);
    try {
      setPhase('generating');
      const pair = await generateEd25519KeyPair();
      const comment = options.name;
      const blob = ed25519PublicBlob(pair.publicKey);
      const publicKey = formatPublicKey({ type: 'ssh-ed25519', blob, comment });
      if (passphrase !== '') setPhase('encrypting');
      // The public line does not depend on the encryption: send it while the workers hash.
      const saving = createKey.mutateAsync({ publicKey, ...toCreateOptions(options, now) });
      const encoding = encodePrivateKey(pair, {
        comment,
        ...(passphrase === '' ? {} : { passphrase }),
        kdf,
      }).then((key) => {
        // For `npm run bench` (figures 1 and 2 of issue 6) and the browser's performance panel.
        performance.mark('keysmith:private-key-ready');
        return key;
      });
      const [saved, encoded] = await Promise.allSettled([saving, encoding]);
      // The seed is in privateKey now; wipe the loose copy (best effort in a GC'd language).
      pair.seed.fill(0);
      if (encoded.status === 'rejected') {
        // Never leave a public key in authorized_keys whose private half nobody received.
        if (saved.status === 'fulfilled') {
          await deleteKey.mutateAsync(saved.value.key.fingerprint).catch(() => undefined);
        }
        throw encoded.reason;
      }
      if (saved.status === 'rejected') throw saved.reason;
      const privateKey = encoded.value;
      setPhase('idle');
      const generated: GeneratedKey = {
        name: options.name,
        comment,
        privateKey,
        publicKey,
        fingerprint: fingerprintSha256(blob),
        randomart: randomart(blob, 'ssh-ed25519', 256),
        encrypted: passphrase !== '',
      };
      return generated;
    } catch (error) {
      setPhase('idle');
      setFailure(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  return { generate, phase, busy: phase !== 'idle', failure };
}

/** What the progress line says in each phase. */
export function generatePhaseLabel(phase: GeneratePhase): string {
  switch (phase) {
    case 'idle':
      return '';
    case 'generating':
      return 'Making the key pair…';
    case 'encrypting':
      return 'Encrypting the private key with your passphrase…';
    case 'saving':
      return 'Adding the public key to authorized_keys…';
    default:
      return phase satisfies never;
  }
}
