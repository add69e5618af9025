import { describe, expect, it } from 'vitest';
import { ApiError, shouldRetry } from './fetch-json.ts';

describe('shouldRetry', () => {
  it('does not ask again after a 4xx: a tab that is not signed in says so at once', () => {
    for (const status of [400, 401, 403, 404, 409]) {
      expect(shouldRetry(0, new ApiError('refused', status, 'unauthorized')), String(status)).toBe(
        false,
      );
    }
  });

  it('asks up to three times after a network failure or a 5xx', () => {
    for (const error of [
      new ApiError('no server', 0, 'network'),
      new ApiError('busy', 503, 'file-error'),
      new TypeError('failed'),
    ]) {
      expect(shouldRetry(0, error)).toBe(true);
      expect(shouldRetry(2, error)).toBe(true);
      expect(shouldRetry(3, error)).toBe(false);
    }
  });
});
