import { queryOptions } from '@tanstack/react-query';
import { policySchema } from '../../api/policy.ts';
import { apiPaths } from '../../api/ssh-keys.ts';
import { fetchJson } from './fetch-json.ts';

/** The site's limits on new keys (GET /api/policy): the dialogs offer only what they allow. */
export function policyQueryOptions() {
  return queryOptions({
    queryKey: ['policy'],
    queryFn: ({ signal }) => fetchJson(apiPaths.policy, policySchema, { signal }),
    staleTime: Infinity,
  });
}
