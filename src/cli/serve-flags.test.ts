import { describe, expect, it } from 'vitest';
import { flagsSchema } from './serve-flags.ts';

function issue(flags: Record<string, string>): string | undefined {
  const result = flagsSchema.safeParse(flags);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe('whole-number flags', () => {
  it('take the bounds themselves and refuse one beyond either, or anything but digits', () => {
    const wanted = '--max-user-processes must be a whole number from 1 to 1000.';
    expect(issue({ 'max-user-processes': '1' })).toBeUndefined();
    expect(issue({ 'max-user-processes': '1000' })).toBeUndefined();
    expect(issue({ 'max-user-processes': '0' })).toBe(wanted);
    expect(issue({ 'max-user-processes': '1001' })).toBe(wanted);
    expect(issue({ 'max-user-processes': '-1' })).toBe(wanted);
    expect(issue({ 'max-user-processes': '2.5' })).toBe(wanted);
    expect(issue({ 'user-process-queue': '0' })).toBeUndefined();
    expect(issue({ port: '65536' })).toBe('--port must be a number from 0 to 65535.');
    expect(issue({ 'min-uid': '0' })).toBe(
      '--min-uid must be a whole number, at least 1 (root is never served).',
    );
  });
});
