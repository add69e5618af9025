/** `YYYY-MM-DD` in local time: short and unambiguous whatever the browser's language. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `HH:MM` in local time, and the day before it when that is not `now`'s day. */
export function localTimeOfDay(date: Date, now: Date): string {
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return localDay(date) === localDay(now) ? time : `${localDay(date)} ${time}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
