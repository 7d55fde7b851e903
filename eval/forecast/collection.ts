/**
 * The evaluation collection: 47 real series (29 monthly, 10 quarterly, 4 weekly, 4 daily) from
 * vega-datasets (npm) and the R packages forecast, AER and tseries (Debian r-cran-*, installed on
 * demand). R's base `datasets` package is never read. Sources and licences: data/SOURCES.md.
 *
 * Missing values: leading and trailing NAs are trimmed, interior ones filled by linear
 * interpolation; the count per series is kept in `filled` (the current collection has none).
 * Weekly series are means of consecutive 7-day blocks from the first day (the last, incomplete
 * block dropped). Season lengths: monthly 12, quarterly 4, weekly 1 (M4's choice; also what keeps
 * auto.arima affordable: with m = 52 one fit takes about 25 s), daily 7.
 */
import { readFileSync } from 'node:fs';
import { vegaDataset } from '../../src/data/datasets.js';
import { exportRSeries } from './r-packages.js';

export type Frequency = 'monthly' | 'quarterly' | 'weekly' | 'daily';

export interface SeriesRecord {
  id: string;
  source: string;
  frequency: Frequency;
  /** Season length: 12, 4, 1 (weekly, as in M4: a 52.18-week year is no integer season) or 7 (daily: the week). */
  m: number;
  values: number[];
  dates?: string[];
  /** Interior missing values filled by linear interpolation. */
  filled: number;
}

export const SEASON: Record<Frequency, number> = { monthly: 12, quarterly: 4, weekly: 1, daily: 7 };

/**
 * Longer series keep only their last points (30 years monthly, 10 years weekly, 2 years daily):
 * R's refits at every origin grow with the length, and M4's series are of this order.
 */
export const MAX_LENGTH: Record<Frequency, number> = { monthly: 360, quarterly: 400, weekly: 520, daily: 730 };

/** The series read from R packages: `pkg::name[, column]`. */
export const R_SERIES: { id: string; pkg: string; name: string; column?: string; frequency: Frequency }[] = [
  { id: 'gas', pkg: 'forecast', name: 'gas', frequency: 'monthly' },
  { id: 'wineind', pkg: 'forecast', name: 'wineind', frequency: 'monthly' },
  { id: 'DutchSales', pkg: 'AER', name: 'DutchSales', frequency: 'monthly' },
  { id: 'FrozenJuice.price', pkg: 'AER', name: 'FrozenJuice', column: 'price', frequency: 'monthly' },
  { id: 'PepperPrice.black', pkg: 'AER', name: 'PepperPrice', column: 'black', frequency: 'monthly' },
  { id: 'USMacroSWM.production', pkg: 'AER', name: 'USMacroSWM', column: 'production', frequency: 'monthly' },
  { id: 'tcm.tcm10y', pkg: 'tseries', name: 'tcm', column: 'tcm10y', frequency: 'monthly' },
  { id: 'nino.nino3.4', pkg: 'tseries', name: 'nino', column: 'nino3.4', frequency: 'monthly' },
  { id: 'woolyrnq', pkg: 'forecast', name: 'woolyrnq', frequency: 'quarterly' },
  { id: 'UKNonDurables', pkg: 'AER', name: 'UKNonDurables', frequency: 'quarterly' },
  { id: 'USMacroG.gdp', pkg: 'AER', name: 'USMacroG', column: 'gdp', frequency: 'quarterly' },
  { id: 'USMacroG.invest', pkg: 'AER', name: 'USMacroG', column: 'invest', frequency: 'quarterly' },
  { id: 'USMacroG.unemp', pkg: 'AER', name: 'USMacroG', column: 'unemp', frequency: 'quarterly' },
  { id: 'USProdIndex.unadjusted', pkg: 'AER', name: 'USProdIndex', column: 'unadjusted', frequency: 'quarterly' },
  { id: 'GermanUnemployment.unadjusted', pkg: 'AER', name: 'GermanUnemployment', column: 'unadjusted',
    frequency: 'quarterly' },
  { id: 'USeconomic.rs', pkg: 'tseries', name: 'USeconomic', column: 'rs', frequency: 'quarterly' },
  { id: 'OrangeCounty.employment', pkg: 'AER', name: 'OrangeCounty', column: 'employment', frequency: 'quarterly' },
  { id: 'USMoney.m1', pkg: 'AER', name: 'USMoney', column: 'm1', frequency: 'quarterly' },
  { id: 'DJFranses', pkg: 'AER', name: 'DJFranses', frequency: 'weekly' },
];

/** Trims leading/trailing NAs (null) and interpolates interior ones linearly. */
export function fillMissing(raw: (number | null)[]): { values: number[]; filled: number; from: number } {
  let a = 0, b = raw.length;
  while (a < b && raw[a] == null) a++;
  while (b > a && raw[b - 1] == null) b--;
  const v = raw.slice(a, b), values = new Array<number>(v.length);
  let filled = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] != null) { values[i] = v[i]!; continue; }
    let j = i;
    while (v[j] == null) j++;
    const lo = values[i - 1], hi = v[j]!;
    for (let k = i; k < j; k++) values[k] = lo + ((hi - lo) * (k - i + 1)) / (j - i + 1);
    filled += j - i; i = j - 1;
  }
  return { values, filled, from: a };
}

/** A CSV of vega-datasets as rows of strings keyed by column (none of the files used quote fields). */
function vegaCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(vegaDataset(file), 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c])));
}

function record(id: string, source: string, frequency: Frequency, raw: (number | null)[],
  dates?: string[]): SeriesRecord {
  const { values: all, filled, from } = fillMissing(raw);
  const cut = Math.max(0, all.length - MAX_LENGTH[frequency]), values = all.slice(cut);
  const kept = dates?.slice(from + cut, from + all.length);
  return { id, source, frequency, m: SEASON[frequency], values, dates: kept, filled };
}

/** 'Jan 1 2000' → '2000-01-01'. */
const iso = (d: string): string => new Date(`${d} UTC`).toISOString().slice(0, 10);

/** Monthly: 14 industries' unemployed counts, five stock prices, the S&P 500, Mauna Loa CO₂. */
function vegaMonthly(): SeriesRecord[] {
  const out: SeriesRecord[] = [];
  const rows = JSON.parse(readFileSync(vegaDataset('unemployment-across-industries.json'), 'utf8')) as
    { series: string; count: number; date: string }[];
  const bySeries = new Map<string, typeof rows>();
  for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
  for (const [name, rs] of bySeries) {
    out.push(record(`unemployment.${name.replaceAll(' ', '_')}`, 'vega-datasets unemployment-across-industries.json',
      'monthly', rs.map((r) => r.count), rs.map((r) => r.date.slice(0, 10))));
  }
  const stocks = vegaCsv('stocks.csv');
  for (const sym of [...new Set(stocks.map((r) => r.symbol))]) {
    const rs = stocks.filter((r) => r.symbol === sym);
    const prices = rs.map((r) => Number(r.price));
    out.push(record(`stocks.${sym}`, 'vega-datasets stocks.csv', 'monthly', prices, rs.map((r) => iso(r.date))));
  }
  const sp = vegaCsv('sp500.csv');
  const sp500 = sp.map((r) => Number(r.price));
  out.push(record('sp500', 'vega-datasets sp500.csv', 'monthly', sp500, sp.map((r) => iso(r.date))));
  const co2 = vegaCsv('co2-concentration.csv');
  out.push(record('co2-maunaloa', 'vega-datasets co2-concentration.csv', 'monthly',
    co2.map((r) => (r.CO2 === '' ? null : Number(r.CO2))), co2.map((r) => r.Date)));
  return out;
}

/** Means of consecutive 7-day blocks (the incomplete last block dropped). */
export function weeklyMeans(daily: number[], dates: string[]): { values: number[]; dates: string[] } {
  const values: number[] = [], starts: string[] = [];
  for (let i = 0; i + 7 <= daily.length; i += 7) {
    values.push(daily.slice(i, i + 7).reduce((a, b) => a + b, 0) / 7);
    starts.push(dates[i]);
  }
  return { values, dates: starts };
}

/** Daily and weekly weather: Seattle (seattle-weather.csv) and New York (weather.csv), 2012–2015. */
function vegaWeather(): SeriesRecord[] {
  const seattle = vegaCsv('seattle-weather.csv'), ny = vegaCsv('weather.csv').filter((r) => r.location === 'New York');
  const picks: [string, Record<string, string>[], string, string][] = [
    ['seattle', seattle, 'temp_max', 'vega-datasets seattle-weather.csv'],
    ['seattle', seattle, 'wind', 'vega-datasets seattle-weather.csv'],
    ['newyork', ny, 'temp_max', 'vega-datasets weather.csv'], ['newyork', ny, 'wind', 'vega-datasets weather.csv'],
  ];
  const out: SeriesRecord[] = [];
  for (const [city, rows, col, source] of picks) {
    const raw = rows.map((r) => (r[col] === '' ? null : Number(r[col]))), dates = rows.map((r) => r.date);
    out.push(record(`${city}.${col}.daily`, source, 'daily', raw, dates));
  }
  for (const [city, rows, col, source] of picks.filter((p) => p[2] === 'temp_max' || p[0] === 'seattle')) {
    const w = weeklyMeans(rows.map((r) => Number(r[col])), rows.map((r) => r.date));
    out.push(record(`${city}.${col}.weekly`, `${source} (7-day means)`, 'weekly', w.values, w.dates));
  }
  return out;
}

/** Dates of a monthly or quarterly R `ts` from its start (year + fraction); none for other frequencies. */
function rDates(start: number, frequency: number, n: number): string[] | undefined {
  if (frequency !== 12 && frequency !== 4) return undefined;
  const first = Math.round(start * frequency), step = 12 / frequency;
  return Array.from({ length: n }, (_, i) => {
    const k = first + i, year = Math.floor(k / frequency), month = (k % frequency) * step + 1;
    return `${year}-${String(month).padStart(2, '0')}-01`;
  });
}

/** The R-package series, exported once into the cache folder. */
function rPackageSeries(cacheDir: string): SeriesRecord[] {
  const exported = exportRSeries(R_SERIES, cacheDir);
  return R_SERIES.map((s) => {
    const e = exported.get(s.id);
    if (!e) throw new Error(`R export: series ${s.id} missing from the export`);
    const source = `R ${s.pkg}::${s.name}${s.column ? `[, "${s.column}"]` : ''}`;
    return record(s.id, source, s.frequency, e.values, rDates(e.start, e.frequency, e.values.length));
  });
}

/** All series, sorted by frequency then id. */
export function loadCollection(cacheDir: string): SeriesRecord[] {
  const order: Frequency[] = ['monthly', 'quarterly', 'weekly', 'daily'];
  const all = [...vegaMonthly(), ...vegaWeather(), ...rPackageSeries(cacheDir)];
  return all.sort((a, b) => order.indexOf(a.frequency) - order.indexOf(b.frequency) || a.id.localeCompare(b.id));
}
