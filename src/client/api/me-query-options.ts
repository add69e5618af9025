import { queryOptions } from '@tanstack/react-query';
import { apiPaths, meResponseSchema } from '../../api/ssh-keys.ts';
import { fetchJson } from './fetch-json.ts';

/** Who is signed in (GET /api/me): the profile menu's name and the mock-mode banner. */
export function meQueryOptions() {
  return queryOptions({
    queryKey: ['me'],
    queryFn: ({ signal }) => fetchJson(apiPaths.me, meResponseSchema, { signal }),
    staleTime: Infinity,
  });
}
