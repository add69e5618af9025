import { useQuery } from '@tanstack/react-query';
import { keyPlaceOf, keysWhere } from '../ssh-keys/key-place.ts';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import type { RenewedKey } from './flow-storage.ts';
import { localDay } from './local-dates.ts';
import { seqeraKeysOf } from './seqera.ts';

interface IntroStepProps {
  /** The signed-in user, once known: their Seqera keys are offered for renewal. */
  user: string | null;
  /** Begin with a new credential, or renew the key of an existing one. */
  onBegin: (renews: RenewedKey | null) => void;
}

/** Step 1: what will happen; and, when a Seqera key is already there, the offer to renew it. */
export function IntroStep({ user, onBegin }: IntroStepProps) {
  const keys = useQuery(sshKeysQueryOptions());
  const existing = user === null ? [] : seqeraKeysOf(keys.data?.keys ?? [], user);
  return (
    <>
      <p>
        Keysmith makes a new SSH key in this browser and adds its public half to{' '}
        {keysWhere(keyPlaceOf(keys.data))}, so it can log in as you. You then paste its private half
        into a Seqera Platform SSH credential, and Seqera can reach this cluster as you.
      </p>
      {existing.length > 0 && (
        <section className="renewal-offer" aria-labelledby="renewal-offer-title">
          <h3 id="renewal-offer-title" className="section-title">
            Renew your Seqera key
          </h3>
          <p>
            You already have a key for Seqera. Renewing makes a new key under the same name: in
            Seqera you then <strong>edit</strong> that credential and paste the new private key, and
            the old key is removed here once Seqera has the new one.
          </p>
          <ul className="renewal-keys">
            {existing.map((key) => (
              <li key={key.fingerprint}>
                <strong>{key.name}</strong>{' '}
                {key.expiresAt === null
                  ? '(does not expire)'
                  : `(${key.expired ? 'expired' : 'expires'} ${localDay(new Date(key.expiresAt))})`}{' '}
                <button
                  type="button"
                  className="button button-primary"
                  onClick={() => onBegin({ name: key.name ?? '', fingerprint: key.fingerprint })}
                >
                  Renew {key.name}
                </button>
              </li>
            ))}
          </ul>
          <p>Or make a key for another Seqera credential:</p>
        </section>
      )}
      <button
        type="button"
        className={existing.length > 0 ? 'button button-secondary' : 'button button-primary'}
        onClick={() => onBegin(null)}
      >
        Begin
      </button>
    </>
  );
}
