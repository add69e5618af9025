import { useState, type ChangeEvent, type SubmitEvent } from 'react';
import { policyProblems } from '../../../api/policy.ts';
import { KeyFormatError } from '../../../openssh/errors.ts';
import { fingerprintSha256 } from '../../../openssh/fingerprint.ts';
import { keyTypeLabel, type PublicKey } from '../../../openssh/key-types.ts';
import { looksLikePrivateKey } from '../../../openssh/private-key-detect.ts';
import { formatPublicKey, parsePublicKey } from '../../../openssh/public-key-line.ts';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { Dialog, DialogFormActions } from '../../ui/dialog.tsx';
import { KeyOptionsFields } from './key-options-fields.tsx';
import { keysWhere, useKeyPlace } from './key-place.ts';
import {
  defaultKeyOptions,
  expiryOf,
  fitToPolicy,
  fromPatterns,
  nameFromComment,
  toCreateOptions,
  validateKeyOptions,
  type KeyOptionsErrors,
  type KeyOptionsValue,
} from './key-options.ts';
import { usePolicy } from './use-policy.ts';
import { useCreateKey } from './use-ssh-key-mutations.ts';

/** The API refuses longer public keys (createKeyRequestSchema); a .pub file is far smaller. */
const MAX_FILE_BYTES = 16_384;

const PRIVATE_KEY_REFUSAL =
  "This is a PRIVATE key. It was not sent anywhere. A private key belongs only in the service that logs in with it (such as Seqera's credential form), never here: paste the public key instead (the .pub file next to it, e.g. ~/.ssh/id_ed25519.pub, or the output of `ssh-keygen -y -f KEY`).";

type Parsed =
  | { state: 'empty' }
  | { state: 'private-key' }
  | { state: 'invalid'; message: string }
  | { state: 'valid'; key: PublicKey };

function parse(text: string): Parsed {
  if (text.trim() === '') return { state: 'empty' };
  // Checked before parsing, so the refusal is the same whatever else is wrong with the text.
  if (looksLikePrivateKey(text)) return { state: 'private-key' };
  try {
    return { state: 'valid', key: parsePublicKey(text.trim()) };
  } catch (error) {
    if (error instanceof KeyFormatError && error.code === 'private-key') {
      return { state: 'private-key' };
    }
    return { state: 'invalid', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * "Import Key": add an existing public key (pasted or a .pub file), parsed here first. Most
 * imported keys are a laptop's, so logging in (a terminal) is the default purpose.
 */
export function ImportKeyDialog({ onDone }: { onDone: (added?: SshKey) => void }) {
  const createKey = useCreateKey();
  const policy = usePolicy();
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [typed, setOptions] = useState<KeyOptionsValue>(() =>
    defaultKeyOptions('imported', new Date(), 'interactive'),
  );
  // The key's comment names it until the user types a name of their own.
  const [nameTyped, setNameTyped] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [refused, setRefused] = useState(false);

  const parsed = parse(text);
  const named =
    nameTyped || parsed.state !== 'valid' || parsed.key.comment === ''
      ? typed
      : { ...typed, name: nameFromComment(parsed.key.comment, new Date()) };
  const options = fitToPolicy(named, policy);
  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(options, new Date(), policy) : {};
  // The key's own limits (type, RSA bits); the fields' limits show at each field.
  const keyProblems = submitted ? keyProblemsAt(new Date()) : [];
  const busy = createKey.isPending;
  const place = useKeyPlace();
  const keyError =
    refused || parsed.state === 'private-key'
      ? PRIVATE_KEY_REFUSAL
      : parsed.state === 'invalid'
        ? parsed.message
        : parsed.state === 'empty' && submitted
          ? 'Paste a public key or choose a .pub file.'
          : null;

  async function chooseFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setFileError(
        `"${file.name}" is ${file.size} bytes: too big for a public key. Choose the .pub file.`,
      );
      return;
    }
    accept(await file.text());
  }

  /** A private key is dropped at once: not kept in the form, not sent, not shown again. */
  function accept(value: string) {
    const isPrivate = parse(value).state === 'private-key';
    setRefused(isPrivate);
    setText(isPrivate ? '' : value);
  }

  function submit(event: SubmitEvent) {
    event.preventDefault();
    setSubmitted(true);
    const now = new Date();
    if (
      parsed.state !== 'valid' ||
      Object.keys(validateKeyOptions(options, now, policy)).length > 0 ||
      keyProblemsAt(now).length > 0
    ) {
      return;
    }
    createKey.mutate(
      { publicKey: formatPublicKey(parsed.key), ...toCreateOptions(options, now) },
      { onSuccess: (response) => onDone(response.key) },
    );
  }

  function keyProblemsAt(now: Date): string[] {
    if (parsed.state !== 'valid') return [];
    return policyProblems(
      policy,
      {
        type: parsed.key.type,
        bits: parsed.key.bits,
        access: options.access,
        expiresAt: expiryOf(options, now),
        from: fromPatterns(options.from),
      },
      now,
    );
  }

  return (
    <Dialog
      open
      size="wide"
      onOpenChange={(open) => {
        if (!open && !busy) onDone();
      }}
      title="Import Key"
      description={`Add a public key you already have to ${keysWhere(place)}. Only the public key is sent.`}
    >
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="import-public-key">Public key</label>
          <textarea
            id="import-public-key"
            rows={4}
            spellCheck={false}
            autoComplete="off"
            placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… you@laptop"
            value={text}
            disabled={busy}
            aria-invalid={keyError ? true : undefined}
            aria-describedby="import-public-key-hint import-public-key-error"
            onChange={(event) => accept(event.target.value)}
          />
          <p id="import-public-key-hint" className="hint">
            One line from a .pub file: ssh-ed25519, RSA, ECDSA or a security key (-sk).
          </p>
          <div id="import-public-key-error">
            {keyError && (
              <p role="alert" className="error-text">
                {keyError}
              </p>
            )}
            {parsed.state === 'valid' && (
              <p className="ok-text">
                {keyTypeLabel(parsed.key.type)} {parsed.key.bits} bits,{' '}
                <span className="mono">{fingerprintSha256(parsed.key.blob)}</span>
                {parsed.key.comment && <> ({parsed.key.comment})</>}
              </p>
            )}
          </div>
        </div>
        <div className="field">
          <label htmlFor="import-file">Or choose a .pub file</label>
          <input
            id="import-file"
            type="file"
            accept=".pub,text/plain"
            disabled={busy}
            onChange={(event) => void chooseFile(event)}
          />
          {fileError && (
            <p role="alert" className="error-text">
              {fileError}
            </p>
          )}
        </div>

        <KeyOptionsFields
          value={options}
          onChange={(value) => {
            if (value.name !== options.name) setNameTyped(true);
            setOptions(value);
          }}
          errors={errors}
          disabled={busy}
          policy={policy}
        />

        {keyProblems.length > 0 && Object.keys(errors).length === 0 && (
          <div role="alert" className="error-box">
            {keyProblems.map((problem) => (
              <p key={problem}>{problem}</p>
            ))}
          </div>
        )}
        {createKey.isError && (
          <p role="alert" className="error-box">
            {createKey.error.message}
          </p>
        )}
        <DialogFormActions submitLabel={busy ? 'Adding…' : 'Add Key'} busy={busy} />
      </form>
    </Dialog>
  );
}
