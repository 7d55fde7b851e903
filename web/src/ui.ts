/** Small DOM helpers shared by the two tabs. */

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: no element #${id}`);
  return el as T;
}

/** Offers bytes to the user as a file download. */
export function download(bytes: ArrayBuffer, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Wires a visible button to a hidden file input and calls back with the chosen file. */
export function filePicker(button: HTMLButtonElement, input: HTMLInputElement, onFile: (f: File) => void): void {
  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) onFile(f);
    input.value = '';
  });
}

/** An integer from a number input, clamped to its min and max (or the fallback when empty). */
export function intOf(input: HTMLInputElement, fallback: number): number {
  const v = Math.round(Number(input.value));
  if (!Number.isFinite(v) || input.value.trim() === '') return fallback;
  const lo = input.min === '' ? -Infinity : Number(input.min), hi = input.max === '' ? Infinity : Number(input.max);
  return Math.max(lo, Math.min(hi, v));
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtRate = (r: number): string => (r >= 1e4 ? `${(r / 1e3).toFixed(0)}k` : r >= 100 ? r.toFixed(0) : r.toFixed(1));

/** Marks every available device in a device select and says why the others are not. */
export function fillDevices(select: HTMLSelectElement, devices: { name: string; available: boolean; reason: string | null }[], auto: string): void {
  for (const opt of Array.from(select.options)) {
    if (opt.value === 'auto') { opt.textContent = `auto (${auto.split(' ')[0]})`; continue; }
    const d = devices.find((x) => x.name === opt.value);
    opt.disabled = !d?.available;
    opt.title = d?.reason ?? '';
    if (!d?.available) opt.textContent = `${opt.value} (unavailable)`;
  }
}

/**
 * What a screen reader hears, apart from the status lines the eye reads: those change ten times
 * a second while a model trains, which would swamp a listener. A visually hidden polite live
 * region gets the milestones at once (`say`: started, done, an error) and the progress at most
 * every `gap` ms.
 */
export class Announcer {
  private last = -Infinity;
  constructor(private readonly region: HTMLElement, private readonly gap = 15_000) {}
  say(text: string): void { this.last = performance.now(); this.region.textContent = text; }
  progress(text: () => string): void { if (performance.now() - this.last >= this.gap) this.say(text()); }
}
