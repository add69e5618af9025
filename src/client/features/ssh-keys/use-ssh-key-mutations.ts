import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, createKeyResponseSchema, type CreateKeyRequest } from '../../../api/ssh-keys.ts';
import { fetchJson, fetchNoContent } from '../../api/fetch-json.ts';
import { sshKeysQueryOptions } from './ssh-keys-query-options.ts';

/**
 * POST /api/ssh-keys: only the public key line and the chosen options, never a private key.
 * The list is refetched in the background: "SSH Key Generated" need not wait for it (a
 * returned promise would hold mutateAsync until the refetch ends).
 */
export function useCreateKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateKeyRequest) =>
      fetchJson(apiPaths.sshKeys, createKeyResponseSchema, { method: 'POST', body: request }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: sshKeysQueryOptions().queryKey });
    },
  });
}

/** DELETE /api/ssh-keys/{fingerprint}. */
export function useDeleteKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fingerprint: string) =>
      fetchNoContent(apiPaths.sshKey(fingerprint), { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: sshKeysQueryOptions().queryKey }),
  });
}
