/**
 * Dates of time series: parsing (zone-less times are wall-clock UTC), the series' frequency, and
 * stepping by it (calendar months kept on their day, or on month ends).
 */
export interface Frequency {
  label: 'minutely' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly' | 'irregular'; ms: number; calendarMonths: number;
  /** Calendar-month series: the day of month of every row, or 'end' when every row is its month's last day. */
  monthDay?: number | 'end';
}

/**
 * ms since epoch for ISO dates and times (2012-06-30, 2012-06-30T14:00[:00[.000]], 2012-06),
 * 2012/06/30 and 06/30/2012 (both with an optional time), plain years, and the other forms
 * Date.parse reads. A date or time with no zone is read as UTC — a wall-clock reading, as written:
 * the machine's time zone never shifts it, and its daylight saving never skips or repeats an hour
 * (an hourly file would otherwise hold a duplicate or a gap). An explicit zone (Z, +01:00, GMT) is
 * honoured. null if unparseable or not a real date (2010-02-30).
 */
export function parseDate(s: string): number | null {
  if (/^\d{4}$/.test(s)) return utc(Number(s), 1, 1);
  const time = '(?:[T ](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?)?';
  const ymd = new RegExp(`^(\\d{4})[-/](\\d{1,2})(?:[-/](\\d{1,2})${time})?$`).exec(s);
  const mdy = ymd ? null : new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${time}$`).exec(s);
  if (ymd || mdy) {
    const m = (ymd ?? mdy)!.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
    const [y, mo, d] = ymd ? [m[0]!, m[1]!, m[2] ?? 1] : [m[2]!, m[0]!, m[1]!];
    const frac = (ymd ?? mdy)![7];
    return utc(y, mo, d, m[3] ?? 0, m[4] ?? 0, m[5] ?? 0, frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  }
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return null;
  if (/:\d{2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})$|\b(?:UTC?|GMT|[ECMP][SD]T)\b/i.test(s)) return ms;
  // Date.parse read it as local time: take the wall clock it read, as UTC
  const d = new Date(ms);
  return utc(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

/** ms since epoch of a UTC wall-clock time (month 1–12), or null when a field is out of range. */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, ms = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo - 1) || h > 23 || mi > 59 || sec > 59) return null;
  return new Date(0).setUTCFullYear(y, mo - 1, d) + ((h * 60 + mi) * 60 + sec) * 1000 + ms; // setUTCFullYear: years 0–99 stay themselves
}

/** Days in month m (0-based, may run past 11 into later years) of year y. */
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

const DAY = 86_400_000;

/** The series' step from the median spacing of its dates. */
export function inferFrequency(dates: number[]): Frequency {
  if (dates.length < 3) return { label: 'irregular', ms: 0, calendarMonths: 0 };
  const deltas = dates.slice(1).map((d, i) => d - dates[i]).sort((a, b) => a - b);
  const med = deltas[Math.floor(deltas.length / 2)];
  const near = (x: number, lo: number, hi: number) => x >= lo && x <= hi;
  const months = (calendarMonths: number, label: Frequency['label']): Frequency => {
    // month-end data (30 June, 31 July) steps to month ends; other days keep their day (clipped in short months)
    const ds = dates.map((d) => new Date(d));
    const ends = ds.every((d) => d.getUTCDate() === daysIn(d.getUTCFullYear(), d.getUTCMonth()));
    return { label, ms: med, calendarMonths, monthDay: ends ? 'end' : Math.max(...ds.map((d) => d.getUTCDate())) };
  };
  if (near(med, 28 * DAY, 31 * DAY)) return months(1, 'monthly');
  if (near(med, 89 * DAY, 92 * DAY)) return months(3, 'quarterly');
  if (near(med, 365 * DAY, 366 * DAY)) return months(12, 'yearly');
  const label = med === 60_000 ? 'minutely' : med === 3_600_000 ? 'hourly' : med === DAY ? 'daily' : med === 7 * DAY ? 'weekly' : 'irregular';
  return { label, ms: med, calendarMonths: 0 };
}

/** Whole steps of frequency f from date a to date b (negative when b is earlier). */
export function stepsBetween(a: number, b: number, f: Frequency): number {
  if (f.calendarMonths > 0) {
    const da = new Date(a), db = new Date(b);
    const months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
    return Math.round(months / f.calendarMonths);
  }
  return Math.round((b - a) / f.ms);
}

/**
 * The date `steps` steps of frequency f after date a, keeping its time of day. Calendar months
 * land on the series' day of month (f.monthDay), clipped to short months, or on the month's end
 * for a month-end series: 30 June → 31 July → 31 August, not 30 July → 30 August.
 */
export function stepDate(a: number, steps: number, f: Frequency): number {
  if (f.calendarMonths === 0) return a + steps * f.ms;
  const d = new Date(a), y = d.getUTCFullYear(), m = d.getUTCMonth() + steps * f.calendarMonths;
  const timeOfDay = a - Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
  const last = daysIn(y, m);
  const day = f.monthDay === 'end' ? last : Math.min(f.monthDay ?? d.getUTCDate(), last);
  return Date.UTC(y, m, day) + timeOfDay;
}
