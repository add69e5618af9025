import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const token = 'tab-token-0123456789abcdef';

/** Fresh modules per test: the token module keeps a copy in memory. */
async function load() {
  vi.resetModules();
  const session = await import('./session-token.ts');
  const { fetchInit } = await import('./fetch-json.ts');
  return { ...session, fetchInit };
}

function authorization(init: RequestInit): string | undefined {
  return (init.headers as Record<string, string>).Authorization;
}

const start = window.location.href;

beforeEach(() => {
  window.sessionStorage.clear();
});

afterEach(() => {
  window.history.replaceState(null, '', start);
  window.sessionStorage.clear();
});

describe('sign-in token of this tab', () => {
  it('moves #token= from the address bar into sessionStorage and sends it as a bearer header', async () => {
    window.history.replaceState(null, '', `/#token=${token}`);
    const { adoptSignInToken, sessionToken, fetchInit } = await load();
    adoptSignInToken();
    expect(window.location.href).toBe(`${window.location.origin}/`);
    expect(window.sessionStorage.getItem('keysmith-token')).toBe(token);
    expect(sessionToken()).toBe(token);
    expect(authorization(fetchInit({}))).toBe(`Bearer ${token}`);
    expect(document.cookie).toBe('');
  });

  it('takes ?token= of an older link too, keeping the rest of the query and fragment', async () => {
    window.history.replaceState(null, '', `/ssh-keys?tab=1&token=${token}#main`);
    const { adoptSignInToken, fetchInit } = await load();
    adoptSignInToken();
    expect(window.location.pathname).toBe('/ssh-keys');
    expect(window.location.search).toBe('?tab=1');
    expect(window.location.hash).toBe('#main');
    expect(authorization(fetchInit({ method: 'POST', body: {} }))).toBe(`Bearer ${token}`);
  });

  it('cleans the address bar on this origin even when the path starts with //', async () => {
    const origin = window.location.origin;
    window.history.replaceState(null, '', `${origin}//evil.example/#token=${token}`);
    const { adoptSignInToken, sessionToken } = await load();
    adoptSignInToken();
    expect(window.location.href).toBe(`${origin}//evil.example/`);
    expect(sessionToken()).toBe(token);
  });

  it('keeps the token of an earlier load of this tab (a reload, a link inside the app)', async () => {
    window.sessionStorage.setItem('keysmith-token', token);
    window.history.replaceState(null, '', '/ssh-keys');
    const { adoptSignInToken, fetchInit } = await load();
    adoptSignInToken();
    expect(authorization(fetchInit({}))).toBe(`Bearer ${token}`);
  });

  it('sends no Authorization header in a tab without a token, and leaves other fragments alone', async () => {
    window.history.replaceState(null, '', '/ssh-keys#main');
    const { adoptSignInToken, sessionToken, fetchInit } = await load();
    adoptSignInToken();
    expect(window.location.hash).toBe('#main');
    expect(sessionToken()).toBeNull();
    expect(authorization(fetchInit({}))).toBeUndefined();
  });
});
