import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { NO_POLICY, policyProblems } from '../../../api/policy.ts';
import { policyQueryOptions } from '../../api/policy-query-options.ts';
import { GenerateProgress } from '../ssh-keys/generate-progress.tsx';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import {
  defaultKeyOptions,
  type ExpiryChoice,
  type KeyOptionsValue,
} from '../ssh-keys/key-options.ts';
import { PassphraseFields } from '../ssh-keys/passphrase-fields.tsx';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import { useGenerateKeyForm } from '../ssh-keys/use-generate-key-form.ts';
import { useDeleteKey } from '../ssh-keys/use-ssh-key-mutations.ts';
import type { RenewedKey } from './flow-storage.ts';
import { localDay } from './local-dates.ts';
import { SEQERA_KEY_DAYS, seqeraCredentialName, seqeraKeyDays } from './seqera.ts';

interface GenerateStepProps {
  user: string;
  /** A renewal keeps the old key's name: the credential in Seqera is edited, not added. */
  renews: RenewedKey | null;
  /** The passphrase goes up with the key: step 3 shows it for Seqera's Passphrase field. */
  onGenerated: (generated: GeneratedKey, passphrase: string) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Step 2: the SSH Keys page's own generation (useGenerateKeyForm), preset for Seqera: restricted
 * access, the name `seqera-<user>`, 90 days (or the site's maximum, when shorter), and a
 * passphrase recommended (or required, when the site's policy says so).
 */
export function GenerateStep({ user, renews, onGenerated }: GenerateStepProps) {
  const id = useId();
  const keys = useQuery(sshKeysQueryOptions());
  // A server without a policy route sets no limits the page can show; it still checks the add.
  const policyQuery = useQuery(policyQueryOptions());
  const policy = policyQuery.data ?? NO_POLICY;
  const days = seqeraKeyDays(policy.maxLifetimeDays);
  const [typedName, setTypedName] = useState<string | null>(null);
  const [passphraseMissing, setPassphraseMissing] = useState(false);
  const deleteKey = useDeleteKey();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // The suggested name avoids names already in the file, so it is unique in Seqera too.
  const taken = new Set((keys.data?.keys ?? []).flatMap((key) => (key.name ? [key.name] : [])));
  const name = renews?.name ?? typedName ?? seqeraCredentialName(user, taken);
  const value: KeyOptionsValue = {
    ...defaultKeyOptions('seqera', new Date()),
    name,
    expiry: String(days) as ExpiryChoice,
    access: 'restricted',
  };
  const form = useGenerateKeyForm(value);
  const busy = form.busy;
  const now = new Date();
  const expiresAt = new Date(now.getTime() + days * DAY_MS);
  const problems = policyProblems(
    policy,
    { type: 'ssh-ed25519', bits: 256, access: 'restricted', expiresAt, from: null },
    now,
  );

  async function submit(event: SubmitEvent) {
    if (policy.requirePassphrase && form.passphrase === '') {
      event.preventDefault();
      setPassphraseMissing(true);
      return;
    }
    setPassphraseMissing(false);
    // Seqera runs commands over SSH and needs nothing more: always restricted (`restrict`).
    const generated = await form.submit(event, value);
    if (!generated) return;
    // Left while the key was being made: nobody will ever see its private half.
    if (!mounted.current) deleteKey.mutate(generated.fingerprint);
    else onGenerated(generated, form.passphrase);
  }

  if (policyQuery.isPending) {
    return (
      <p role="status" className="loading">
        Loading this site&apos;s key policy…
      </p>
    );
  }

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Generate a key for Seqera"
    >
      {renews ? (
        <div className="field">
          <p>
            A new key for the credential <strong>{renews.name}</strong>, under the same name: in
            Seqera you will edit that credential, not add another. The old key keeps working until
            you remove it at the end.
          </p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="name"
            value={name}
            disabled={busy}
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            aria-invalid={form.errors.name ? true : undefined}
            aria-describedby={`${id}-name-hint${form.errors.name ? ` ${id}-name-error` : ''}`}
            onChange={(event) => setTypedName(event.target.value)}
          />
          <p id={`${id}-name-hint`} className="hint">
            The credential&apos;s name in Seqera, and the key&apos;s name here.
          </p>
          {form.errors.name && (
            <p id={`${id}-name-error`} className="error-text">
              {form.errors.name}
            </p>
          )}
        </div>
      )}
      <PassphraseFields
        {...form.passphraseFields}
        hint={
          policy.requirePassphrase
            ? 'Required here (this site’s policy). It encrypts the private key, so a copy that leaks (a clipboard history, a backup, a screenshot) cannot log in without it. Seqera stores it with the key; you type it once, into Seqera’s Passphrase field.'
            : 'Recommended. It encrypts the private key, so a copy that leaks (a clipboard history, a backup, a screenshot) cannot log in without it. Seqera stores it with the key and uses it for you; you type it once, into Seqera’s Passphrase field.'
        }
      />
      {passphraseMissing && (
        <p role="alert" className="error-text">
          This site requires a passphrase on every key: type one, twice.
        </p>
      )}
      <p className="hint" id="onboarding-expiry">
        Expires: in <strong>{days} days</strong>, on <strong>{localDay(expiresAt)}</strong>
        {days < SEQERA_KEY_DAYS ? ' (the longest this site allows)' : ''}. sshd itself refuses the
        key after that (expiry-time), so Seqera&apos;s runs on this cluster stop then: before it,
        come back to Get started, which offers to renew the key.
      </p>
      <p className="hint" id="onboarding-access">
        Access: <strong>Restricted</strong> (sshd&apos;s <code>restrict</code>): Seqera can run
        commands and copy files, but gets no terminal and no forwarding.
      </p>
      {problems.length > 0 && (
        <div role="alert" className="error-box">
          <p>This site&apos;s policy would refuse a key for Seqera:</p>
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
          <p>Ask your administrator, or add the key from the SSH Keys page.</p>
        </div>
      )}
      <GenerateProgress phase={form.phase} busy={busy} failure={form.failure} />
      <div className="action-row">
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || problems.length > 0}
        >
          Generate Key
        </button>
      </div>
    </form>
  );
}
