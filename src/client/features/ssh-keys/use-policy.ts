import { useQuery } from '@tanstack/react-query';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import { policyQueryOptions } from '../../api/policy-query-options.ts';

/**
 * The site's limits for the dialogs. Until they arrive, or if the server cannot say, no limits
 * are shown: the server checks every add against its policy anyway.
 */
export function usePolicy(): Policy {
  return useQuery(policyQueryOptions()).data ?? NO_POLICY;
}
