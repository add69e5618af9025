import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, meResponseSchema } from '../../api/ssh-keys.ts';
import { EARLY_SSH_KEYS_PATH } from '../app/early-requests.ts';
import { startEarlyGet, takeEarlyGet } from './early-get.ts';
import { ApiError, fetchJson } from './fetch-json.ts';

let requests = 0;
let user = 'ada';
const server = setupServer(
  http.get(apiPaths.me, () => {
    requests += 1;
    return HttpResponse.json({ user, mode: 'local' });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  requests = 0;
  user = 'ada';
  void takeEarlyGet(apiPaths.me);
});
afterAll(() => server.close());

describe('early GET', () => {
  it('answers the first fetchJson of its path, once; later ones ask again', async () => {
    startEarlyGet(apiPaths.me);
    startEarlyGet(apiPaths.me);
    await expect(fetchJson(apiPaths.me, meResponseSchema)).resolves.toEqual({
      user: 'ada',
      mode: 'local',
    });
    expect(requests).toBe(1);

    user = 'grace';
    await expect(fetchJson(apiPaths.me, meResponseSchema)).resolves.toEqual({
      user: 'grace',
      mode: 'local',
    });
    expect(requests).toBe(2);
  });

  it('is not taken by a POST to the same path', async () => {
    server.use(http.post(apiPaths.me, () => HttpResponse.json({ user: 'posted', mode: 'local' })));
    startEarlyGet(apiPaths.me);
    const posted = await fetchJson(apiPaths.me, meResponseSchema, { method: 'POST', body: {} });
    expect(posted.user).toBe('posted');
    await fetchJson(apiPaths.me, meResponseSchema);
    // The GET took the early answer: no second GET.
    expect(requests).toBe(1);
  });

  it('hands a network failure to whoever takes it, as fetchJson reports any', async () => {
    server.use(http.get(apiPaths.me, () => HttpResponse.error()));
    startEarlyGet(apiPaths.me);
    const failure = await fetchJson(apiPaths.me, meResponseSchema).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe('network');
  });

  it('asks for the SSH keys at the path of the API contract', () => {
    expect(EARLY_SSH_KEYS_PATH).toBe(apiPaths.sshKeys);
  });
});
