/**
 * The Memory card: the hidden state as the network reads a passage (the heat map), what it expects
 * after the character under the cursor, one unit's activation coloured over the text, and the
 * units that track quotes, line position and words. Every part has a fixed size and the finder
 * buttons exist from the start, so a new reading (every 1.5 s while a model trains) changes
 * colours and numbers, never the layout.
 */
import { divergingCss } from '../charts/colors.js';
import { HeatMap, visible } from '../charts/heatmap.js';
import type { ProbeResult } from '../protocol.js';
import { $, intOf } from '../ui.js';
import { PROPERTIES, findUnits } from './units.js';

export function memoryCard(): { show(p: ProbeResult): void } {
  const unitInput = $<HTMLInputElement>('unit'), unitLabel = $('unit-label'), canvas = $<HTMLCanvasElement>('heatmap');
  const heat = new HeatMap(canvas, $('heat-scroll'), {
    hover: (t, u, fromKeys) => { showNext(t, fromKeys); unitLabel.textContent = `cursor on unit ${u}`; },
    pick: (u) => { unitInput.value = String(u); showUnit(u); },
  });
  const showNext = nextView(heat), showUnit = unitView(heat, unitLabel);
  unitInput.addEventListener('change', () => heat.pick(intOf(unitInput, 0)));
  const chips = finderButtons(heat);

  return {
    show(p: ProbeResult): void {
      heat.set(p);
      unitInput.max = String(p.H - 1);
      showUnit(heat.picked);
      showNext(heat.t, false);
      showFinders(chips, p);
      canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
    },
  };
}

/** What comes next after the character at t: bars for the eye; a keyboard user hears them (the pointer is quiet). */
function nextView(heat: HeatMap): (t: number, announce: boolean) => void {
  const nextContext = $('next-context'), nextList = $('next-list'), nextAnnounce = $('next-announce');
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
  const item = ({ c, p: prob }: { c: string; p: number }) => {
    const li = document.createElement('li');
    li.innerHTML = '<span class="ch"></span><span class="bar-track"><span class="bar"></span></span>'
      + '<span class="p"></span>';
    li.querySelector('.ch')!.textContent = visible(c);
    (li.querySelector('.bar') as HTMLElement).style.width = `${Math.max(2, prob * 100)}%`;
    li.querySelector('.p')!.textContent = pct(prob);
    li.setAttribute('aria-label', `${describeChar(c)}: ${pct(prob)}`);
    return li;
  };
  return (t, announce) => {
    const p = heat.data;
    if (!p) return;
    const before = p.chars.slice(Math.max(0, t - 28), t).map(flat).join('');
    const mark = Object.assign(document.createElement('mark'), { textContent: visible(p.chars[t]) });
    nextContext.replaceChildren(document.createTextNode(before), mark);
    nextList.replaceChildren(...p.next[t].map(item));
    if (announce) {
      const unit = `unit ${heat.unit} at ${p.states[t * p.H + heat.unit].toFixed(2)}`;
      nextAnnounce.textContent = `After ${describeChar(p.chars[t])}, ${unit}. Next: `
        + p.next[t].map(({ c, p: prob }) => `${describeChar(c)} ${pct(prob)}`).join(', ');
    }
  };
}

/** One unit's activation coloured over the text it read. */
function unitView(heat: HeatMap, unitLabel: HTMLElement): (u: number) => void {
  const unitText = $('unit-text');
  return (u) => {
    const p = heat.data;
    if (!p) return;
    unitLabel.textContent = `unit ${u} of ${p.H}, ${p.label}`;
    unitText.replaceChildren(...p.chars.map((c, t) => {
      const s = document.createElement('span'), v = p.states[t * p.H + u];
      s.textContent = c; s.style.background = divergingCss(v); s.title = `${visible(c)}  ${v.toFixed(2)}`;
      return s;
    }));
  };
}

/** One button per property, there before the first reading: only their numbers change. */
function finderButtons(heat: HeatMap): HTMLButtonElement[] {
  const chips = PROPERTIES.map((f) => {
    const b = document.createElement('button');
    b.type = 'button'; b.disabled = true; b.dataset.id = f.id;
    b.innerHTML = '<span class="what"></span><span class="which">unit —</span>';
    b.querySelector('.what')!.textContent = f.label;
    b.addEventListener('click', () => heat.pick(Number(b.dataset.unit)));
    return b;
  });
  $('finders').replaceChildren(...chips);
  return chips;
}

/** Each property's unit in this reading, or that the text has none. */
function showFinders(chips: HTMLButtonElement[], p: ProbeResult): void {
  const found = findUnits(p);
  for (const b of chips) {
    const f = found.find((x) => x.id === b.dataset.id), which = b.querySelector('.which')!;
    b.disabled = !f;
    if (f) b.dataset.unit = String(f.unit);
    // a sign always shown and the minus a real one: labels of one width, whatever the numbers
    const r = f ? `${f.r >= 0 ? '+' : '−'}${Math.abs(f.r).toFixed(2)}` : '';
    which.textContent = f ? `unit ${f.unit} · r ${r}` : 'not in this text';
    b.setAttribute('aria-label', f ? `${f.label}: unit ${f.unit}, correlation ${f.r.toFixed(2)}`
      : `${b.querySelector('.what')!.textContent}: not in this text`);
  }
}

const flat = (c: string) => (c === '\n' ? '↵' : c);
function describeChar(c: string): string {
  return c === ' ' ? 'space' : c === '\n' ? 'new line' : c === '\t' ? 'tab' : c === '"' ? 'quote' : c;
}
