import * as z from 'zod/mini';

const signOutResponseSchema = z.object({ location: z.string() });

/**
 * Ends the OIDC session, then goes where the server says: the provider's sign-out, or
 * Keysmith's signed-out page. fetch, not a form: this page's Referrer-Policy (no-referrer) makes
 * a form's Origin `null` (Fetch, "append a request Origin header"), which the server refuses.
 * Resolves to an error message when the server did not end the session.
 */
export async function signOut(go: (url: string) => void): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch('/auth/logout', {
      method: 'POST',
      headers: { Accept: 'application/json' },
    });
  } catch {
    return 'Could not reach Keysmith to sign out. Check the connection and try again.';
  }
  const parsed = signOutResponseSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !parsed.success) {
    return `Keysmith did not sign you out (HTTP ${response.status}). Reload the page and try again.`;
  }
  go(parsed.data.location);
  return null;
}
