/** Errors as the API answers them. */
import { HTTPException } from 'hono/http-exception';
import type { ErrorCode, ErrorResponse } from '../../api/ssh-keys.ts';
import { KeyFormatError } from '../../openssh/errors.ts';
import { KeyStoreError, type ErrorStatus } from '../store/key-store.ts';

/** The body of every error answer. */
export function errorBody(code: ErrorCode, message: string): ErrorResponse {
  return { error: { code, message } };
}

/** The one error mapper: every failure leaves as `{ error: { code, message } }` with its status. */
export function mapError(error: unknown): {
  status: ErrorStatus;
  body: ErrorResponse;
  retryAfterSeconds?: number;
} {
  if (error instanceof KeyStoreError) {
    return {
      status: error.status,
      body: errorBody(error.code, error.message),
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  if (error instanceof KeyFormatError) {
    const code: ErrorCode = error.code === 'private-key' ? 'private-key' : 'invalid-key';
    return { status: 400, body: errorBody(code, error.message) };
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    // Thrown by the crypto formatters for values they refuse to write (e.g. a quote in an option).
    return { status: 400, body: errorBody('bad-request', error.message) };
  }
  if (error instanceof HTTPException) {
    const status = error.status === 413 ? 413 : 400;
    const code: ErrorCode = status === 413 ? 'too-large' : 'bad-request';
    return { status, body: errorBody(code, error.message || 'The request could not be read.') };
  }
  console.error('keysmith: unexpected error', error);
  return {
    status: 500,
    body: errorBody(
      'internal',
      'Something unexpected failed on the server; its log has the details.',
    ),
  };
}

/** zod issues as one sentence that names each field. */
export function describeIssues(
  issues: readonly { path: PropertyKey[]; message: string }[],
): string {
  return issues
    .map((issue) =>
      issue.path.length === 0
        ? issue.message
        : `"${issue.path.map(String).join('.')}": ${issue.message}`,
    )
    .join(' ');
}
