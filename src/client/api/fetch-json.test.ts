import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, canRetry, fetchJson, fetchNoContent, shouldRetry } from './fetch-json.ts';
import { meResponseSchema } from '../../api/ssh-keys.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
});

describe('shouldRetry', () => {
  it('does not ask again after a 4xx: a tab that is not signed in says so at once', () => {
    for (const status of [400, 401, 403, 404, 409]) {
      expect(shouldRetry(0, new ApiError('refused', status, 'unauthorized')), String(status)).toBe(
        false,
      );
    }
  });

  it('does not ask again when the server does not answer: the page says so at once', () => {
    expect(shouldRetry(0, new ApiError('no server', 0, 'network'))).toBe(false);
  });

  it('asks up to three times after a 5xx or an unexpected failure', () => {
    for (const error of [new ApiError('busy', 503, 'file-error'), new TypeError('failed')]) {
      expect(shouldRetry(0, error)).toBe(true);
      expect(shouldRetry(2, error)).toBe(true);
      expect(shouldRetry(3, error)).toBe(false);
    }
  });
});

describe('the errors fetchJson throws', () => {
  it('says Keysmith is not reachable when the request fails', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = await fetchNoContent('/api/ssh-keys/x', { method: 'DELETE' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      'Keysmith is not reachable: check that it is running, then try again.',
    );
    expect(canRetry(error)).toBe(true);
  });

  it('says Keysmith restarted on a 401 to a tab that holds a sign-in token, with no Retry', async () => {
    window.sessionStorage.setItem('keysmith-token', 'old-token');
    const refusal = {
      error: {
        code: 'unauthorized',
        message: 'The sign-in token is wrong … or use its token as the bearer token.',
      },
    };
    vi.stubGlobal('fetch', () => Promise.resolve(Response.json(refusal, { status: 401 })));
    const error = await fetchJson('/api/me', meResponseSchema).catch((caught: unknown) => caught);
    expect((error as ApiError).message).toBe(
      'Keysmith restarted, or this tab was opened from an old sign-in link: open the new link it printed in the terminal.',
    );
    expect((error as ApiError).message).not.toContain('Bearer');
    expect(canRetry(error)).toBe(false);
  });

  it("keeps the server's own 401 message where the tab has no token (a sign-in proxy)", async () => {
    const refusal = {
      error: { code: 'unauthorized', message: 'You are not signed in. Reload the page.' },
    };
    vi.stubGlobal('fetch', () => Promise.resolve(Response.json(refusal, { status: 401 })));
    const error = await fetchJson('/api/me', meResponseSchema).catch((caught: unknown) => caught);
    expect((error as ApiError).message).toBe('You are not signed in. Reload the page.');
  });
});
