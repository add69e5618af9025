import { useEffect, useRef, useState } from 'react';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '../../../crypto/keygen.ts';
import { fingerprintSha256 } from '../../../openssh/fingerprint.ts';
import { ed25519PublicBlob } from '../../../openssh/public-key-blob.ts';
import { formatPublicKey } from '../../../openssh/public-key-line.ts';
import { encodePrivateKey } from '../../../openssh/private-key.ts';
import { randomart } from '../../../openssh/randomart.ts';
import { useKdf } from '../../crypto/kdf-context.tsx';
import {
  discardKdfHeadStart,
  kdfWithHeadStart,
  startKdfHeadStart,
  type KdfHeadStart,
} from '../../crypto/kdf-head-start.ts';
import type { GeneratedKey } from './generated-key.ts';
import { toCreateOptions, type KeyOptionsValue } from './key-options.ts';
import { useCreateKey, useDeleteKey } from './use-ssh-key-mutations.ts';

/** A key pair prepared before the click, with its public blob. */
interface PreparedPair {
  pair: Ed25519KeyPair;
  blob: Uint8Array;
}

/** The prepared pair's private key file, unencrypted, for one comment. */
interface PreparedFile {
  pair: PreparedPair;
  comment: string;
  privateKey: string;
}

/** Where a generation stands; anything but "idle" means busy. */
export type GeneratePhase = 'idle' | 'generating' | 'encrypting';

/**
 * Key generation as the SSH Keys page and the onboarding flow both do it: an ed25519 pair made
 * in this browser, the private half encrypted here (bcrypt_pbkdf in Web Workers, through
 * useKdf), and only the public line and the options POSTed. Call `generate` only with options
 * that passed validateKeyOptions.
 *
 * `expectedComment` is the name in the form, and `confirmedPassphrase` the passphrase once both
 * fields agree ('' otherwise): the work they allow is prepared before the click (see below).
 */
export function useGenerateKey(expectedComment?: string, confirmedPassphrase = '') {
  const kdf = useKdf();
  const createKey = useCreateKey();
  const deleteKey = useDeleteKey();
  // The click should find its key pair made, and for a key without passphrase its file
  // encoded: WebCrypto answers every call in a later task, and the five calls of generate +
  // encode cost milliseconds. So the pair is prepared while the form is open (and again after
  // each use: a pair serves one key only), and its file for the name in the form as it
  // changes. The seed stays in this tab and is wiped when unused.
  const [preparedPair, setPreparedPair] = useState<PreparedPair | null>(null);
  const preparedFileRef = useRef<PreparedFile | null>(null);
  useEffect(() => {
    if (preparedPair !== null) return;
    let live = true;
    generateEd25519KeyPair().then(
      (pair) => {
        if (live) setPreparedPair({ pair, blob: ed25519PublicBlob(pair.publicKey) });
        else pair.seed.fill(0);
      },
      () => undefined, // generate() makes its own pair, and reports the failure.
    );
    return () => {
      live = false;
    };
  }, [preparedPair]);
  useEffect(
    () => () => {
      preparedPair?.pair.seed.fill(0);
    },
    [preparedPair],
  );
  useEffect(() => {
    if (preparedPair === null || expectedComment === undefined) return;
    let live = true;
    encodePrivateKey(preparedPair.pair, { comment: expectedComment }).then(
      (privateKey) => {
        if (live) {
          preparedFileRef.current = { pair: preparedPair, comment: expectedComment, privateKey };
        }
      },
      () => undefined, // e.g. a name that is not valid yet: generate() encodes at the click.
    );
    return () => {
      live = false;
    };
  }, [preparedPair, expectedComment]);
  // Likewise, once the passphrase is confirmed, the workers derive its AES key and IV with a
  // fresh salt while the user moves to the button (kdf-head-start.ts). A prepared derivation
  // serves one generate() at most; `preparedKdfsTaken` prepares another after a failed attempt.
  const preparedKdfRef = useRef<KdfHeadStart | null>(null);
  const [preparedKdfsTaken, setPreparedKdfsTaken] = useState(0);
  useEffect(() => {
    if (confirmedPassphrase === '') return;
    const preparedKdf = startKdfHeadStart(kdf, confirmedPassphrase);
    preparedKdfRef.current = preparedKdf;
    return () => {
      if (preparedKdfRef.current !== preparedKdf) return; // taken by generate()
      preparedKdfRef.current = null;
      discardKdfHeadStart(preparedKdf);
    };
  }, [kdf, confirmedPassphrase, preparedKdfsTaken]);
  const [phase, setPhase] = useState<GeneratePhase>('idle');
  const [failure, setFailure] = useState<string | null>(null);

  /** Resolves to the new key, or to null after a failure (whose message is in `failure`). */
  async function generate(options: KeyOptionsValue, passphrase: string, now: Date) {
    const comment = options.name;
    // Each prepared part is taken out here, and used only if it fits this very key.
    const takenFile = preparedFileRef.current;
    preparedFileRef.current = null;
    const preparedFile =
      preparedPair !== null &&
      takenFile?.pair === preparedPair &&
      takenFile.comment === comment &&
      passphrase === ''
        ? takenFile.privateKey
        : null;
    const takenKdf = preparedKdfRef.current;
    preparedKdfRef.current = null;
    const preparedKdf = takenKdf?.passphrase === passphrase && passphrase !== '' ? takenKdf : null;
    if (takenKdf !== null && preparedKdf === null) discardKdfHeadStart(takenKdf);
    // When the private key file is ready, for `npm run bench` and the browser's performance panel.
    if (preparedFile !== null) performance.mark('keysmith:private-key-ready');
    setFailure(null);
    try {
      setPhase('generating');
      let pair: { seed: Uint8Array; publicKey: Uint8Array };
      let blob: Uint8Array;
      if (preparedPair !== null) {
        // A copy: the prepared seed is wiped as soon as `preparedPair` changes.
        pair = { seed: preparedPair.pair.seed.slice(), publicKey: preparedPair.pair.publicKey };
        blob = preparedPair.blob;
        setPreparedPair(null);
      } else {
        pair = await generateEd25519KeyPair();
        blob = ed25519PublicBlob(pair.publicKey);
      }
      if (passphrase !== '') setPhase('encrypting');
      // The workers first (encodePrivateKey hands them the passphrase before its first await),
      // then the POST: the public line does not depend on the encryption.
      const encoding =
        preparedFile !== null
          ? Promise.resolve(preparedFile)
          : encodePrivateKey(pair, {
              comment,
              ...(passphrase === '' ? {} : { passphrase }),
              ...(preparedKdf === null
                ? { kdf }
                : { kdf: kdfWithHeadStart(preparedKdf, kdf), salt: preparedKdf.salt }),
            }).then((key) => {
              performance.mark('keysmith:private-key-ready');
              return key;
            });
      const publicKey = formatPublicKey({ type: 'ssh-ed25519', blob, comment });
      const saving = createKey.mutateAsync({ publicKey, ...toCreateOptions(options, now) });
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
      // A retry with the same passphrase deserves a prepared derivation of its own (a fresh salt).
      if (takenKdf !== null) setPreparedKdfsTaken((count) => count + 1);
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
    default:
      return phase satisfies never;
  }
}
