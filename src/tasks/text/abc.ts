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
 * Every prefix of a bar-line token: `|`, `||`, `[|`, `|]`, `|:`, `:|`, `::`, `:|:`, `:||:`, …, with
 * the number of an ending attached (`|1`, `:|2`, `[1`). A `[` after a bar line is not taken in: it
 * may open a chord or an inline field (`|[CEG]`, `|[K:G]`), and `|[1` reads as `|` then `[1`.
 */
const BAR_PREFIX = /^(?:\[?[|:]*\|\]|\[?[|:]*)\d*$/;

/**
 * A stop predicate for Sampler: true, before the character `c` is added, once `bars` bars have
 * been closed, or at a blank line (the end of the tune).
 *
 * Characters that can form a bar line are gathered into one token before anything is decided, so
 * a combined `:||:` counts once and the text never ends inside a token (the character that shows
 * the token is over is the one left out). A bar line closes a bar only when notes came since the
 * previous one: a start-repeat `|:` at the beginning of a tune or a line (after `:|` on the line
 * before) closes nothing, and neither does an ending marker such as `[1` on its own.
 */
export function abcStop(bars: number): (c: string) => boolean {
  let count = 0, tok = '', notes = false, prev = '';
  return (c: string) => {
    if (tok !== '' && BAR_PREFIX.test(tok + c)) { tok += c; prev = c; return false; }
    if (tok !== '') {
      if (notes && /\||::/.test(tok)) { count++; notes = false; }
      tok = '';
      if (count >= bars) return true;
    }
    if (c === '\n' && prev === '\n') return true;
    if (c === '|' || c === ':' || c === '[') tok = c;
    else if (!/\s/.test(c)) notes = true;
    prev = c;
    return false;
  };
}
