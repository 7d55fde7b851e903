/**
 * The Weights card: the three matrices of the cell — input → hidden, hidden → hidden (the
 * feedback), hidden → output — as heat maps that fill fixed boxes, redrawn as the model trains.
 * Until there is a model the boxes say so; nothing changes size when the matrices arrive.
 */
import { MatrixView } from '../charts/matrix.js';
import type { Matrix } from '../protocol.js';
import { $ } from '../ui.js';

const SLOTS = [['input weights', 'input → hidden'], ['feedback weights', 'hidden → hidden: the feedback'], ['output weights', 'hidden → output']];
const EMPTY_LEDE = 'The three matrices of the cell, redrawn as it trains.';

/** What a matrix does, by its name: the seed's W_xh, W_hh, W_hy, or PyTorch's weight_ih_lk, weight_hh_lk and the head. */
function role(m: Matrix): string {
  const to = m.gates ? 'gates' : 'hidden';
  const k = /^weight_(ih|hh)_l(\d+)$/.exec(m.name);
  if (k) return k[1] === 'hh' ? `hidden → ${to}: the feedback` : k[2] === '0' ? `input → ${to}` : `layer ${k[2]}'s h → ${to}`;
  return { W_xh: 'input → hidden', W_hh: 'hidden → hidden: the feedback', W_hy: 'hidden → output', 'head.weight': 'hidden → next character' }[m.name] ?? '';
}

export class WeightsCard {
  private readonly slots: { fig: HTMLElement; title: HTMLElement; caption: HTMLElement; canvas: HTMLCanvasElement; view: MatrixView }[];
  private readonly lede = $('weights-lede');

  constructor() {
    this.slots = SLOTS.map(() => {
      const fig = document.createElement('figure');
      fig.className = 'matrix';
      fig.innerHTML = '<h3></h3><p></p><div class="box"><canvas role="img"></canvas><span class="empty">Train or open a model to see it.</span></div>';
      const canvas = fig.querySelector('canvas')!;
      return { fig, title: fig.querySelector('h3')!, caption: fig.querySelector('p')!, canvas, view: new MatrixView(canvas) };
    });
    $('matrices').replaceChildren(...this.slots.map((s) => s.fig));
    this.clear();
  }

  /** No model: the slots name what they will show. */
  clear(): void {
    this.slots.forEach((s, i) => {
      s.fig.classList.add('waiting');
      [s.title.textContent, s.caption.textContent] = SLOTS[i];
      s.caption.title = '';
      s.canvas.removeAttribute('aria-label');
    });
    this.lede.textContent = EMPTY_LEDE;
  }

  /** layer: which layer of a stack the matrices belong to ("2 of 2"), null for a single layer or the seed's cell. */
  show(mats: Matrix[], layer: string | null): void {
    this.lede.textContent = layer ? `Layer ${layer} (the one the heat map reads) and the output head, redrawn as it trains.` : EMPTY_LEDE;
    mats.forEach((m, i) => {
      const s = this.slots[i], { scale, transposed } = s.view.show(m);
      const layout = transposed ? ` · shown transposed${m.gates ? `: gates ${m.gates.join(' ')} left to right` : ''}`
        : m.gates ? ` · gates ${m.gates.join(' ')} top to bottom` : '';
      s.fig.classList.remove('waiting');
      s.title.textContent = m.name;
      s.caption.textContent = `${m.rows} × ${m.cols} · ${role(m)}${layout} · |w| ≤ ${scale.toFixed(2)}`;
      s.caption.title = s.caption.textContent;
      // a text alternative that changes only with the colour scale, not at every redraw
      const label = `${m.name}, ${m.rows} by ${m.cols}, ${role(m)}; full colour at |w| ${scale.toFixed(2)}`;
      if (s.canvas.getAttribute('aria-label') !== label) s.canvas.setAttribute('aria-label', label);
    });
  }
}
