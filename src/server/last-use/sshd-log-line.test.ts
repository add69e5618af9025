import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, parseJournalEntry, parseSshdLogLine } from './sshd-log-line.ts';

const FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const ACCEPTED = `Accepted publickey for alice from 10.1.2.3 port 50514 ssh2: ED25519 ${FP}`;
const seenAt = new Date('2026-12-06T08:00:00Z');

describe('parseSshdLogLine', () => {
  it('reads the RFC 3339 form, fractions beyond milliseconds included', () => {
    expect(
      parseSshdLogLine(`2026-12-06T07:27:32.123456+01:00 host sshd[123]: ${ACCEPTED}`, seenAt),
    ).toEqual({
      user: 'alice',
      fingerprint: FP,
      at: new Date('2026-12-06T06:27:32.123Z'),
      from: '10.1.2.3',
    });
    expect(
      parseSshdLogLine(`2026-12-06T07:27:32Z host sshd-session[9]: ${ACCEPTED}`, seenAt)?.at,
    ).toEqual(new Date('2026-12-06T07:27:32Z'));
  });

  it('reads the traditional form as local time of the latest year not in the future', () => {
    expect(parseSshdLogLine(`Dec  6 07:27:32 host sshd[123]: ${ACCEPTED}`, seenAt)?.at).toEqual(
      new Date(2026, 11, 6, 7, 27, 32),
    );
    // Read on New Year's Day: December's lines are last year's.
    const newYear = new Date(2027, 0, 1, 0, 5);
    expect(parseSshdLogLine(`Dec 31 23:59:59 host sshd[1]: ${ACCEPTED}`, newYear)?.at).toEqual(
      new Date(2026, 11, 31, 23, 59, 59),
    );
    expect(parseSshdLogLine(`Jan  1 00:01:00 host sshd[1]: ${ACCEPTED}`, newYear)?.at).toEqual(
      new Date(2027, 0, 1, 0, 1, 0),
    );
    expect(parseSshdLogLine(`Feb 30 00:01:00 host sshd[1]: ${ACCEPTED}`, newYear)).toBeNull();
  });

  it("takes sshd -E's lines, which carry no time, as seen when read (CR LF ends them)", () => {
    expect(parseSshdLogLine(`${ACCEPTED}\r`, seenAt)).toEqual({
      user: 'alice',
      fingerprint: FP,
      at: seenAt,
      from: '10.1.2.3',
    });
  });

  it('takes a time after the reading as the reading', () => {
    expect(
      parseSshdLogLine(`2099-01-01T00:00:00+00:00 host sshd[1]: ${ACCEPTED}`, seenAt)?.at,
    ).toEqual(seenAt);
  });

  it('reads IPv6 addresses and the text sshd adds after the fingerprint', () => {
    expect(
      parseSshdLogLine(
        `Accepted publickey for bob from 2001:db8::1 port 22 ssh2: ECDSA-SK ${FP}, extra`,
        seenAt,
      ),
    ).toMatchObject({ user: 'bob', from: '2001:db8::1' });
  });

  it.each([
    ['another program', `2026-12-06T07:27:32Z host logger[5]: ${ACCEPTED}`],
    ['a tag that only starts like sshd', `Dec  6 07:27:32 host sshdx[5]: ${ACCEPTED}`],
    ['text before the message', `note: ${ACCEPTED}`],
    ['a failed login', ACCEPTED.replace('Accepted', 'Failed')],
    ['a password login', ACCEPTED.replace('publickey', 'password')],
    [
      'a certificate',
      `Accepted publickey for alice from 10.1.2.3 port 1 ssh2: ED25519-CERT ${FP} ID x (serial 1) CA ED25519 ${FP}`,
    ],
    ['a host name for an address', ACCEPTED.replace('10.1.2.3', 'abc')],
    ['a short fingerprint', ACCEPTED.slice(0, -1)],
    ['more after the fingerprint without a comma', `${ACCEPTED}x`],
    ['an over-long line', `${ACCEPTED}, ${'x'.repeat(MAX_LINE_LENGTH)}`],
  ])('ignores %s', (_, line) => {
    expect(parseSshdLogLine(line, seenAt)).toBeNull();
  });
});

describe('parseJournalEntry', () => {
  const entry = {
    MESSAGE: ACCEPTED,
    _COMM: 'sshd',
    _UID: '0',
    SYSLOG_IDENTIFIER: 'sshd',
    __REALTIME_TIMESTAMP: '1796542052123456',
  };

  it("reads sshd's entry with journald's time", () => {
    expect(parseJournalEntry(entry)).toEqual({
      user: 'alice',
      fingerprint: FP,
      at: new Date(1_796_542_052_123),
      from: '10.1.2.3',
    });
    expect(parseJournalEntry({ ...entry, _COMM: 'sshd-session' })).not.toBeNull();
  });

  it.each([
    ['logger -t sshd', { ...entry, _COMM: 'logger', _UID: '1000' }],
    ['a process named sshd not run by root', { ...entry, _UID: '1000' }],
    ['no _COMM', { ...entry, _COMM: undefined }],
    ['a MESSAGE that is not text', { ...entry, MESSAGE: [65, 66] }],
    ['no time', { ...entry, __REALTIME_TIMESTAMP: 'x' }],
    ['not an object', 'x'],
  ])('ignores %s', (_, value) => {
    expect(parseJournalEntry(value)).toBeNull();
  });
});
