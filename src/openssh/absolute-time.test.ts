import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAbsoluteTime } from './absolute-time.ts';

const utc = (iso: string) => Date.parse(iso) / 1000;

describe('parseAbsoluteTime in UTC', () => {
  it('reads Z or UTC in any case as UTC', () => {
    for (const value of ['20300102Z', '20300102z', '20300102UTC', '20300102utc', '20300102UtC']) {
      expect(parseAbsoluteTime(value), value).toBe(utc('2030-01-02T00:00:00Z'));
    }
  });

  it('takes each field at its bounds and refuses one past them', () => {
    expect(parseAbsoluteTime('20300101000000Z')).toBe(utc('2030-01-01T00:00:00Z'));
    expect(parseAbsoluteTime('20301231235959Z')).toBe(utc('2030-12-31T23:59:59Z'));
    // strptime's %S goes to 61 and timegm carries it into the next minute.
    expect(parseAbsoluteTime('20301231235961Z')).toBe(utc('2031-01-01T00:00:01Z'));
    for (const value of [
      '20300001Z',
      '20301301Z',
      '20300100Z',
      '20300132Z',
      '203001022400Z',
      '203001020060Z',
      '20300102000062Z',
    ]) {
      expect(parseAbsoluteTime(value), value).toBeNull();
    }
  });

  it('refuses a field that is not digits', () => {
    for (const value of [
      '2030ab02Z',
      '203001xxZ',
      '20300102xx00Z',
      '2030010200xxZ',
      '203001020000xxZ',
      '2030+1+2Z',
      '2030-1-2Z',
    ]) {
      expect(parseAbsoluteTime(value), value).toBeNull();
    }
  });

  it('lets a field start with C blanks, as strptime skips them', () => {
    expect(parseAbsoluteTime('2030 1 2Z')).toBe(utc('2030-01-02T00:00:00Z'));
    expect(parseAbsoluteTime('2030\t1\v2 1 2 3Z')).toBe(utc('2030-01-02T01:02:03Z'));
    expect(parseAbsoluteTime('203012 Z')).toBeNull();
    expect(parseAbsoluteTime('20300102\u00A01Z')).toBeNull();
  });

  it('takes only 8, 12 or 14 characters before the zone', () => {
    for (const value of ['2030010Z', '203001021Z', '2030010213Z', '20300102131Z', 'Z', 'UTC', '']) {
      expect(parseAbsoluteTime(value), value).toBeNull();
    }
  });

  it('refuses the epoch and anything before it (sshd reads 0 as no expiry)', () => {
    expect(parseAbsoluteTime('19700101Z')).toBeNull();
    expect(parseAbsoluteTime('19691231Z')).toBeNull();
    expect(parseAbsoluteTime('00000101Z')).toBeNull();
    expect(parseAbsoluteTime('19700101000001Z')).toBe(1);
  });
});

describe('parseAbsoluteTime in local standard time', () => {
  const savedZone = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'America/New_York';
  });
  afterAll(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });

  it('reads a time without Z or UTC in the standard time of the zone, in winter and in summer', () => {
    // A worker thread keeps the process's zone, so the standard offset is read, not assumed.
    const standard = new Date(2030, 0, 2).getTimezoneOffset() * 60;
    expect(parseAbsoluteTime('20300102120000')).toBe(utc('2030-01-02T12:00:00Z') + standard);
    expect(parseAbsoluteTime('20300702120000')).toBe(utc('2030-07-02T12:00:00Z') + standard);
    expect(parseAbsoluteTime('20300702')).toBe(utc('2030-07-02T00:00:00Z') + standard);
    expect(parseAbsoluteTime('20300702Z')).toBe(utc('2030-07-02T00:00:00Z'));
  });
});
