/**
 * A key just made in this tab: everything the "SSH Key Generated" dialog shows. The private
 * key lives only here, in the page's dialog state, and is dropped when that dialog closes.
 */
export interface GeneratedKey {
  name: string;
  comment: string;
  /** The whole `openssh-key-v1` file: LF line endings and a final newline, as ssh-keygen writes. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment`, as in the .pub file (without the newline). */
  publicKey: string;
  fingerprint: string;
  randomart: string;
  encrypted: boolean;
}
