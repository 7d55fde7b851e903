/**
 * The recur playground: two tabs (Text, Series), each with its own worker that trains with the
 * library in src/. The page draws; the workers compute.
 */
import type { Panel } from './panel.js';
import { seriesPanel } from './series/panel.js';
import { textPanel } from './text/panel.js';
import { $ } from './ui.js';

const badge = $('device-badge'), badgeText = $('device-text');
let active: 'text' | 'series' = 'text';
const devices = { text: '', series: '' };

/**
 * The badge names the device the tab in view computes on: `device: wasm (…, 2 threads)`. Each
 * worker reports its device when it starts and again whenever it changes (a model trained, opened
 * or sampled on another device); until the tab in view has reported, the other tab's report stands in.
 */
function showDevice(tab: 'text' | 'series', description: string): void {
  devices[tab] = description;
  const shown = devices[active] || devices[active === 'text' ? 'series' : 'text'];
  if (!shown) return;
  badgeText.textContent = badge.title = `device: ${shown}`;
  badge.dataset.device = shown.split(' ')[0];
  badge.classList.add('ready');
}

textPanel((d) => showDevice('text', d));
let series: Panel | null = null;

// tabs: arrow keys move between them (roving tabindex), as the ARIA tabs pattern asks
const tabs = [$<HTMLButtonElement>('tab-text'), $<HTMLButtonElement>('tab-series')];
function select(tab: HTMLButtonElement, focus = false): void {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')!).hidden = !on;
  }
  if (focus) tab.focus();
  active = tab.id === 'tab-text' ? 'text' : 'series';
  if (active === 'series' && !series) series = seriesPanel((d) => showDevice('series', d));
  showDevice(active, devices[active]);
}
tabs.forEach((t, i) => {
  t.addEventListener('click', () => select(t));
  t.addEventListener('keydown', (e) => {
    const k = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (k) { e.preventDefault(); select(tabs[(i + k + tabs.length) % tabs.length], true); }
    if (e.key === 'Home') { e.preventDefault(); select(tabs[0], true); }
    if (e.key === 'End') { e.preventDefault(); select(tabs[tabs.length - 1], true); }
  });
});
if (location.hash === '#series') select(tabs[1]);
