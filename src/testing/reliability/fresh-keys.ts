/**
 * Many distinct ed25519 public key lines, made in-process with the crypto core (checked against
 * ssh-keygen in src/crypto), for suites that need more keys than ssh-keygen makes quickly.
 */
import { generateEd25519KeyPair } from '../../crypto/keygen.ts';
import { fingerprintSha256 } from '../../openssh/fingerprint.ts';
import { ed25519PublicBlob } from '../../openssh/public-key-blob.ts';
import { formatPublicKey } from '../../openssh/public-key-line.ts';

export interface FreshKey {
  publicLine: string;
  fingerprint: string;
}

/** Makes `count` fresh key lines with comments `<prefix>-<i>@reliability`. */
export async function freshKeys(count: number, prefix: string): Promise<FreshKey[]> {
  const keys: FreshKey[] = [];
  for (let i = 0; i < count; i += 1) {
    const pair = await generateEd25519KeyPair();
    const blob = ed25519PublicBlob(pair.publicKey);
    keys.push({
      publicLine: formatPublicKey({
        type: 'ssh-ed25519',
        blob,
        comment: `${prefix}-${i}@reliability`,
      }),
      fingerprint: fingerprintSha256(blob),
    });
  }
  return keys;
}
