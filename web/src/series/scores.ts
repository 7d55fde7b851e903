/**
 * The scores table: the model and every baseline, always the same seven rows (dashes until the
 * scores arrive), fixed columns and row heights, so nothing moves when they do.
 */
import type { ForecastPlot, ScoreRow } from '../protocol.js';
import { fmtInt } from '../ui.js';

const PENDING: [string, string][] = [
  ['model', 'not trained yet'], ['persistence', 'the last value'], ['seasonal naive', 'season —'],
  ['moving average', 'window —'],
  ['ETS', 'chosen by AICc'], ['Theta', "as R's thetaf"], ['naive2', 'M4 benchmark'],
];

/**
 * Three decimals, fewer as the number grows (at most four significant digits, whole from 1,000):
 * narrow enough for the fixed columns.
 */
export function fmtScore(v: number): string {
  const a = Math.abs(v);
  return !Number.isFinite(v) ? '—' : a >= 1000 ? fmtInt(v) : v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

function rowOf(r: ScoreRow, best: number): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (r.mae === best) tr.className = 'best';
  const th = Object.assign(document.createElement('th'), { scope: 'row' });
  th.append(Object.assign(document.createElement('span'), { textContent: r.name }),
    Object.assign(document.createElement('span'), { className: 'detail', textContent: r.detail }));
  const cells = [r.mae, r.rmse, r.smape, r.mase].map((v) => Object.assign(document.createElement('td'),
    { textContent: fmtScore(v), title: Number.isFinite(v) ? String(v) : '' }));
  tr.append(th, ...cells);
  return tr;
}

/** Fills the table body with a result's rows (the model's first), or the pending rows; the lowest MAE is marked. */
export function showScores(tbody: HTMLElement, p: ForecastPlot | null): void {
  const rows = p?.table
    ?? PENDING.map(([name, detail]) => ({ name, detail, mae: NaN, rmse: NaN, smape: NaN, mase: NaN }));
  const best = Math.min(...rows.map((r) => r.mae).filter(Number.isFinite));
  tbody.dataset.modelMae = String(rows[0].mae);
  tbody.replaceChildren(...rows.map((r) => rowOf(r, best)));
}
