/**
 * sshd's absolute times, the `expiry-time` option's value: misc.c parse_absolute_time as sshd
 * 9.2 runs it on glibc (strptime, then timegm or mktime).
 */

/** C isspace in the C locale (strptime skips it). */
const C_SPACE = '[ \\t\\n\\v\\f\\r]';

/** misc.c parse_absolute_time's strptime fields: glibc get_number skips blanks, then reads digits in range. */
function strptimeNumber(field: string, min: number, max: number): number | null {
  // Each field is a fixed slice as wide as its digits, so reading "while they fit" ends where the slice does.
  const digits = new RegExp(`^${C_SPACE}*(\\d+)$`).exec(field)?.[1];
  const value = digits === undefined ? NaN : Number(digits);
  return value >= min && value <= max ? value : null;
}

/**
 * misc.c parse_absolute_time as sshd 9.2 runs it on glibc: YYYYMMDD[HHMM[SS]], then `Z` or `UTC`
 * in any case for UTC, else local standard time (mktime with tm_isdst 0). Fields may start with
 * blanks, a day past the month's end rolls over (timegm), seconds go to 61. Returns seconds since
 * the epoch; null where sshd refuses the value, including 0 (auth-options.c: valid_before == 0).
 */
export function parseAbsoluteTime(value: string): number | null {
  let text = value;
  let utc = false;
  if (text.length > 1 && /z$/i.test(text)) {
    utc = true;
    text = text.slice(0, -1);
  } else if (text.length > 3 && /utc$/i.test(text)) {
    utc = true;
    text = text.slice(0, -3);
  }
  if (text.length !== 8 && text.length !== 12 && text.length !== 14) return null;
  const year = strptimeNumber(text.slice(0, 4), 0, 9999);
  const month = strptimeNumber(text.slice(4, 6), 1, 12);
  const day = strptimeNumber(text.slice(6, 8), 1, 31);
  const hour = text.length > 8 ? strptimeNumber(text.slice(8, 10), 0, 23) : 0;
  const minute = text.length > 8 ? strptimeNumber(text.slice(10, 12), 0, 59) : 0;
  const second = text.length > 12 ? strptimeNumber(text.slice(12, 14), 0, 61) : 0;
  if (
    year === null ||
    month === null ||
    day === null ||
    hour === null ||
    minute === null ||
    second === null
  ) {
    return null;
  }
  let ms: number;
  if (utc) {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    ms = date.getTime();
  } else {
    const date = new Date(2000, 0, 1);
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, 0);
    // mktime with tm_isdst 0 reads the fields as standard time, also on a summer date.
    const standard = Math.max(
      new Date(year, 0, 1).getTimezoneOffset(),
      new Date(year, 6, 1).getTimezoneOffset(),
    );
    ms = date.getTime() + (standard - date.getTimezoneOffset()) * 60_000;
  }
  const seconds = Math.floor(ms / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}
