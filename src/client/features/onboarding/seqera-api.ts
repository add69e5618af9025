// zod/mini, as src/api: one zod build in the page, and the one of about a third the bytes.
import * as z from 'zod/mini';
import { credentialsUrl } from './seqera.ts';

/** How Seqera answered `POST /credentials`, reduced to what the page tells the user. */
export type SendResult =
  | { kind: 'created'; credentialsId: string | null }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'name-taken' }
  /** No answer reached the page: the CSP, CORS, the network or a wrong address. */
  | { kind: 'blocked' }
  | { kind: 'failed'; status: number; message: string };

const createdSchema = z.object({ credentialsId: z.optional(z.string()) });
const messageSchema = z.object({ message: z.string() });

/**
 * Sends the credential straight from this browser to Seqera Platform's API
 * (`POST {apiUrl}/credentials?workspaceId=…`, `Authorization: Bearer <token>`). The token and
 * the body go to that URL only: never to the Keysmith server, never into storage. No cookies
 * and no referrer go with it.
 */
export async function sendCredentialsToSeqera(options: {
  apiUrl: string;
  workspaceId: string;
  token: string;
  body: string;
  timeoutMs?: number;
}): Promise<SendResult> {
  const url = credentialsUrl(options.apiUrl, options.workspaceId);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: `Bearer ${options.token}`,
      },
      body: options.body,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return { kind: 'failed', status: 0, message: 'Seqera did not answer within 20 seconds.' };
    }
    // fetch rejects with a bare TypeError for a CSP refusal, a CORS refusal and a network
    // failure alike; the page cannot tell them apart (by design of the Fetch standard).
    return { kind: 'blocked' };
  }
  const json: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const parsed = createdSchema.safeParse(json);
    return {
      kind: 'created',
      credentialsId: parsed.success ? (parsed.data.credentialsId ?? null) : null,
    };
  }
  switch (response.status) {
    case 401:
      return { kind: 'unauthorized' };
    case 403:
      return { kind: 'forbidden' };
    case 409:
      return { kind: 'name-taken' };
    default: {
      const parsed = messageSchema.safeParse(json);
      return {
        kind: 'failed',
        status: response.status,
        message: parsed.success ? parsed.data.message : response.statusText,
      };
    }
  }
}
