/**
 * An msw model of Seqera Platform's `POST /credentials` (Seqera's API reference:
 * CreateCredentials; name "1-100 alphanumeric, dash, or underscore characters"), enough to test
 * the onboarding flow's "Send to Seqera Platform": a bearer token, the body's shape, names
 * unique per workspace. Tests only; the Keysmith server never talks to Seqera.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import * as z from 'zod/mini';

const createCredentialsSchema = z.object({
  credentials: z.object({
    name: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
    provider: z.literal('ssh'),
    keys: z.strictObject({
      privateKey: z.string().check(z.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')),
      passphrase: z.optional(z.string()),
    }),
  }),
});
export type SeqeraCredential = z.infer<typeof createCredentialsSchema>['credentials'] & {
  id: string;
  workspaceId: string | null;
};

export interface SeqeraModel {
  /** Credentials created so far, in order. */
  credentials: SeqeraCredential[];
  handlers: RequestHandler[];
}

/** Seqera's API at `apiUrl`, accepting only `token`. */
export function createSeqeraModel(apiUrl: string, token: string): SeqeraModel {
  const credentials: SeqeraCredential[] = [];
  const handler = http.post(`${apiUrl.replace(/\/+$/, '')}/credentials`, async ({ request }) => {
    if (request.headers.get('Authorization') !== `Bearer ${token}`) {
      return HttpResponse.json({ message: 'Unauthorized' }, { status: 401 });
    }
    const workspaceId = new URL(request.url).searchParams.get('workspaceId');
    if (workspaceId !== null && !/^\d+$/.test(workspaceId)) {
      return HttpResponse.json({ message: 'Invalid workspace id' }, { status: 400 });
    }
    const parsed = createCredentialsSchema.safeParse(await request.json().catch(() => null));
    if (!parsed.success) {
      return HttpResponse.json({ message: 'Invalid credentials' }, { status: 400 });
    }
    const { name } = parsed.data.credentials;
    if (credentials.some((c) => c.name === name && c.workspaceId === workspaceId)) {
      return HttpResponse.json(
        { message: `Credentials with name '${name}' already exists` },
        { status: 409 },
      );
    }
    const id = `cred${String(credentials.length + 1).padStart(4, '0')}`;
    credentials.push({ ...parsed.data.credentials, id, workspaceId });
    return HttpResponse.json({ credentialsId: id });
  });
  return { credentials, handlers: [handler] };
}
