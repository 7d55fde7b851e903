import { DataError } from '../../errors.js';

/**
 * ABC notation helpers for the character model as a tune generator: a header prompt (the model
 * continues after `K:`, which ends an ABC header) and a stop rule that ends the tune after a
 * number of bars or at its end (a blank line).
 */
export interface AbcHeader { title?: string; meter?: string; unit?: string; key?: string; index?: number }

export function abcPrompt(h: AbcHeader): string {
  return `X:${h.index ?? 1}\nT:${h.title ?? 'Untitled'}\nM:${h.meter ?? '4/4'}\nL:${h.unit ?? '1/8'}\nK:${h.key ?? 'D'}\n`;
}

/** Checks that a text holds ABC tunes (at least one `X:` header line). */
export function assertAbc(text: string, source: string): number {
  const tunes = text.match(/^X:\s*\d+/gm)?.length ?? 0;
  if (tunes === 0) throw new DataError(`${source}: no ABC tunes found (no 'X:' header lines)`);
  return tunes;
}

/**
 * A stop predicate for Sampler: true after `bars` bar lines (a run of '|' counts once, so
 * '||' and ':|' are one bar line) or when the tune ends with a blank line.
 */
export function abcStop(bars: number): (c: string) => boolean {
  let count = 0, prev = '';
  return (c: string) => {
    const newBar = c === '|' && prev !== '|';
    const end = c === '\n' && prev === '\n';
    prev = c;
    if (newBar) count++;
    return end || count >= bars;
  };
}
