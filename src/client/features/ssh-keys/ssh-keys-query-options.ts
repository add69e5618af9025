import { queryOptions } from '@tanstack/react-query';
import { apiPaths, listKeysResponseSchema } from '../../../api/ssh-keys.ts';
import { fetchJson } from '../../api/fetch-json.ts';

/** Every key of the user's authorized_keys and the file's warnings (GET /api/ssh-keys). */
export function sshKeysQueryOptions() {
  return queryOptions({
    queryKey: ['ssh-keys'],
    queryFn: ({ signal }) => fetchJson(apiPaths.sshKeys, listKeysResponseSchema, { signal }),
  });
}
