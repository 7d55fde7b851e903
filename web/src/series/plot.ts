/**
 * The forecast chart (Vega-Lite, loaded when first needed): the actual values of the held-out
 * tail, the model's one-step forecasts on top, ETS beside them, persistence and seasonal naive
 * thin and dashed underneath. A legend entry picks a line out.
 */
import type { VisualizationSpec } from 'vega-embed';
import type { ForecastPlot, LineRole } from '../protocol.js';

const ROLE_COLORS: Record<Exclude<LineRole, 'baseline'>, string> = {
  actual: '#1b1f2a', model: '#4f46e5', ets: '#e8590c',
};
const BASELINE_COLORS = ['#8f96aa', '#16a34a'];

const line = (strokeWidth: number, strokeDash?: number[]) =>
  ({ type: 'line' as const, strokeWidth, strokeDash, interpolate: 'monotone' as const });

function colorsOf(p: ForecastPlot): string[] {
  let k = 0;
  return p.lines.map((l) => (l.role === 'baseline' ? BASELINE_COLORS[k++ % 2] : ROLE_COLORS[l.role]));
}

function specOf(p: ForecastPlot, narrow: boolean): VisualizationSpec {
  const names = p.lines.map((l) => l.name), x = p.xIsDate ? 'temporal' as const : 'quantitative' as const;
  const values = p.lines.flatMap((l) => l.values.map((v, i) => ({ x: p.x[i], value: v, series: l.name })));
  const only = (role: LineRole) =>
    [{ filter: { field: 'series', oneOf: p.lines.filter((l) => l.role === role).map((l) => l.name) } }];
  const pick = { name: 'pick', select: { type: 'point' as const, fields: ['series'] }, bind: 'legend' as const };
  return {
    width: 'container', height: 'container', autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    encoding: {
      x: { field: 'x', type: x, title: null, axis: { labelOverlap: true, grid: false } },
      y: { field: 'value', type: 'quantitative', title: p.target, scale: { zero: false } },
      color: {
        field: 'series', type: 'nominal', scale: { domain: names, range: colorsOf(p) },
        legend: {
          orient: 'top', title: null, columns: narrow ? 2 : 5, labelFontSize: 12, labelLimit: 0, symbolStrokeWidth: 3,
        },
      },
      opacity: { condition: { param: 'pick', value: 1, empty: true }, value: 0.12 },
      tooltip: [
        { field: 'x', type: x, title: p.xIsDate ? 'date' : 'step' }, { field: 'series' }, { field: 'value', format: '.2f' },
      ],
    },
    layer: [
      { params: [pick], transform: only('baseline'), mark: line(1.3, [4, 3]) },
      { transform: only('actual'), mark: line(1.8) },
      { transform: only('ets'), mark: line(1.8) },
      { transform: only('model'), mark: line(2.4) },
    ],
    config: {
      font: 'system-ui, "DejaVu Sans", sans-serif', view: { stroke: null },
      axis: {
        gridColor: '#eceef4', domainColor: '#cfd4e0', tickColor: '#cfd4e0', labelColor: '#5b6275', titleColor: '#2c3242',
      },
    },
  };
}

/** Draws the plot into its fixed box; box.dataset.drawn counts the drawings. */
export async function drawForecast(box: HTMLElement, p: ForecastPlot): Promise<void> {
  const { default: embed } = await import('vega-embed');
  const spec = specOf(p, box.clientWidth < 600);
  box.replaceChildren();
  await embed(box, spec, { actions: false, renderer: 'svg', mode: 'vega-lite' });
  box.dataset.drawn = String(Number(box.dataset.drawn ?? 0) + 1);
}
