/**
 * From the provider's claim to a local user name: the value as it is, or, with
 * `--oidc-user-strip-domain`, an e-mail style `name@domain` of exactly that domain.
 */
import { USER_NAME_PATTERN } from './user-name.ts';

export interface ClaimMapping {
  /** `--oidc-user-claim`, e.g. `preferred_username`. */
  claim: string;
  /** `--oidc-user-strip-domain`, e.g. `example.org`: `jane@example.org` is `jane`. */
  stripDomain?: string;
}

/** The local user name the claim names, or a refusal that says why and what to do. */
export function userFromClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping,
): { user: string } | { refusal: string } {
  const value = claims[mapping.claim];
  if (typeof value !== 'string' || value === '') {
    return {
      refusal: `The sign-in provider did not send the claim "${mapping.claim}" that names your local account. Ask your administrator to release it to Keysmith (or to set --oidc-user-claim to a claim it sends).`,
    };
  }
  let name = value;
  const at = value.lastIndexOf('@');
  if (at !== -1) {
    const domain = value.slice(at + 1).toLowerCase();
    if (mapping.stripDomain === undefined) {
      return {
        refusal: `The sign-in provider names you "${value}", an e-mail style name, which is not a local user name. Ask your administrator to set --oidc-user-strip-domain to your domain, or to send a claim with the local user name.`,
      };
    }
    if (domain !== mapping.stripDomain.toLowerCase()) {
      return {
        refusal: `The sign-in provider names you "${value}", but only accounts of ${mapping.stripDomain} are served here. Sign in with your ${mapping.stripDomain} account.`,
      };
    }
    name = value.slice(0, at);
  }
  if (!USER_NAME_PATTERN.test(name)) {
    return {
      refusal: `"${name}" (from the claim "${mapping.claim}") is not a valid local user name. Ask your administrator to map your sign-in to a local account.`,
    };
  }
  return { user: name };
}
