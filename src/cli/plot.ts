import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { DataError } from '../errors.js';

/**
 * Line charts as SVG files, drawn by Vega-Lite (no canvas needed for SVG in Node).
 * Each series is a name and y values over a shared x (dates as ms, or step indices).
 */

/**
 * Refuses a plot path that is not .svg — before any training, so a typo costs nothing. Vega draws
 * PNG in Node only through the native `canvas` package, which recur does not depend on (it needs
 * cairo to build, or a download at install); SVG bytes in a .png file would not open.
 */
export function checkPlotPath(path: string): void {
  const ext = extname(path).toLowerCase();
  if (ext !== '.svg') throw new DataError(`--plot ${path}: expected a .svg file, got ${ext ? `a ${ext} file` : 'no extension'} (plots are SVG only)`);
}

export interface LineSeries { name: string; y: ArrayLike<number>; dash?: boolean }
export interface ChartSpec {
  title: string;
  x: ArrayLike<number>;
  xIsDate: boolean;
  yTitle: string;
  series: LineSeries[];
  /** Shaded interval (e.g. 10%–90% quantiles). */
  band?: { name: string; lo: ArrayLike<number>; hi: ArrayLike<number> };
}

export async function writeLineChart(path: string, c: ChartSpec): Promise<void> {
  checkPlotPath(path);
  const rows: Record<string, unknown>[] = [];
  for (const s of c.series) for (let i = 0; i < c.x.length; i++) if (Number.isFinite(s.y[i])) rows.push({ x: c.x[i], y: s.y[i], series: s.name });
  const xEnc = { field: 'x', type: c.xIsDate ? 'temporal' : 'quantitative', title: c.xIsDate ? 'date' : 'step' };
  const layers: Record<string, unknown>[] = [];
  if (c.band) {
    const band = Array.from({ length: c.x.length }, (_, i) => ({ x: c.x[i], lo: c.band!.lo[i], hi: c.band!.hi[i] }));
    layers.push({ data: { values: band }, mark: { type: 'area', opacity: 0.25, color: '#888' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } });
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.4 },
    encoding: {
      x: xEnc, y: { field: 'y', type: 'quantitative', title: c.yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', sort: c.series.map((s) => s.name), title: 'series', legend: { orient: 'top' } },
      strokeDash: { field: 'series', type: 'nominal', legend: null, scale: { domain: c.series.map((s) => s.name), range: c.series.map((s) => (s.dash ? [4, 3] : [1, 0])) } },
    },
  });
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: c.title, width: 760, height: 300, layer: layers };
  const quiet = vega.logger(vega.Error);
  const view = new vega.View(vega.parse(compile(spec as never, { logger: quiet }).spec), { renderer: 'none', logLevel: vega.Error });
  writeFileSync(path, await view.toSVG());
}
