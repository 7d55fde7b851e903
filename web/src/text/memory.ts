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
  const unitInput = $<HTMLInputElement>('unit'), unitLabel = $('unit-label'), unitText = $('unit-text'), canvas = $<HTMLCanvasElement>('heatmap');
  const nextContext = $('next-context'), nextList = $('next-list'), nextAnnounce = $('next-announce');

  const heat = new HeatMap(canvas, $('heat-scroll'), {
    hover: (t, u, fromKeys) => { showNext(t, fromKeys); unitLabel.textContent = `cursor on unit ${u}`; },
    pick: (u) => { unitInput.value = String(u); showUnit(u); },
  });

  // what comes next: bars for the eye; a keyboard user hears the same (the pointer stays quiet)
  const showNext = (t: number, announce: boolean) => {
    const p = heat.data;
    if (!p) return;
    const before = p.chars.slice(Math.max(0, t - 28), t).map(flat).join('');
    nextContext.replaceChildren(document.createTextNode(before), Object.assign(document.createElement('mark'), { textContent: visible(p.chars[t]) }));
    const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
    nextList.replaceChildren(...p.next[t].map(({ c, p: prob }) => {
      const li = document.createElement('li');
      li.innerHTML = '<span class="ch"></span><span class="bar-track"><span class="bar"></span></span><span class="p"></span>';
      li.querySelector('.ch')!.textContent = visible(c);
      (li.querySelector('.bar') as HTMLElement).style.width = `${Math.max(2, prob * 100)}%`;
      li.querySelector('.p')!.textContent = pct(prob);
      li.setAttribute('aria-label', `${describeChar(c)}: ${pct(prob)}`);
      return li;
    }));
    if (announce) {
      nextAnnounce.textContent = `After ${describeChar(p.chars[t])}, unit ${heat.unit} at ${p.states[t * p.H + heat.unit].toFixed(2)}. Next: `
        + p.next[t].map(({ c, p: prob }) => `${describeChar(c)} ${pct(prob)}`).join(', ');
    }
  };

  const showUnit = (u: number) => {
    const p = heat.data;
    if (!p) return;
    unitLabel.textContent = `unit ${u} of ${p.H}, ${p.label}`;
    unitText.replaceChildren(...p.chars.map((c, t) => {
      const s = document.createElement('span'), v = p.states[t * p.H + u];
      s.textContent = c; s.style.background = divergingCss(v); s.title = `${visible(c)}  ${v.toFixed(2)}`;
      return s;
    }));
  };
  unitInput.addEventListener('change', () => heat.pick(intOf(unitInput, 0)));

  // one button per property, there before the first reading: only their numbers change
  const finders = $('finders');
  const chips = PROPERTIES.map((f) => {
    const b = document.createElement('button');
    b.type = 'button'; b.disabled = true; b.dataset.id = f.id;
    b.innerHTML = '<span class="what"></span><span class="which">unit —</span>';
    b.querySelector('.what')!.textContent = f.label;
    b.addEventListener('click', () => heat.pick(Number(b.dataset.unit)));
    return b;
  });
  finders.replaceChildren(...chips);

  return {
    show(p: ProbeResult): void {
      heat.set(p);
      unitInput.max = String(p.H - 1);
      showUnit(heat.picked);
      showNext(heat.t, false);
      const found = findUnits(p);
      for (const b of chips) {
        const f = found.find((x) => x.id === b.dataset.id), which = b.querySelector('.which')!;
        b.disabled = !f;
        if (f) b.dataset.unit = String(f.unit);
        // a sign always shown and the minus a real one: labels of one width, whatever the numbers
        which.textContent = f ? `unit ${f.unit} · r ${f.r >= 0 ? '+' : '−'}${Math.abs(f.r).toFixed(2)}` : 'not in this text';
        b.setAttribute('aria-label', f ? `${f.label}: unit ${f.unit}, correlation ${f.r.toFixed(2)}` : `${b.querySelector('.what')!.textContent}: not in this text`);
      }
      canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
    },
  };
}

const flat = (c: string) => (c === '\n' ? '↵' : c);
function describeChar(c: string): string {
  return c === ' ' ? 'space' : c === '\n' ? 'new line' : c === '\t' ? 'tab' : c === '"' ? 'quote' : c;
}
