// Anki's notion of "today": days roll over at a chosen hour (4 am by default) in the person's local time.
// Review cards are due on a day number: whole days since the Unix epoch, counted in that shifted local time.

/** The day number of a moment, for a rollover hour and the local time zone's offset (minutes east of UTC). */
export function dayNumber(ms: number, rolloverHour: number, utcOffsetMinutes: number): number {
  const shifted = ms + utcOffsetMinutes * 60_000 - rolloverHour * 3_600_000;
  return Math.floor(shifted / 86_400_000);
}

/** The moment (ms) at which a day number begins. */
export function dayStart(day: number, rolloverHour: number, utcOffsetMinutes: number): number {
  return day * 86_400_000 + rolloverHour * 3_600_000 - utcOffsetMinutes * 60_000;
}
