/**
 * Anomaly flags from one-step prediction errors, the same for every forecaster (model, persistence,
 * VAR), so the detectors differ only in their errors. Legend: T sensors, n readings.
 *
 *   z_t   = √(mean_j (e_tj / σ_j)²)       σ_j the RMS validation error of sensor j
 *   s_t   = median(z_{t−w+1}, …, z_t)       trailing, within one unit (fewer readings at its start)
 *   flag  = s_t > the q-quantile of the validation scores s
 *
 * The median over a short window needs most of the last w readings to be off: the labelled events
 * are runs of readings, while a lone large error is mostly sensor noise. Nothing here reads labels:
 * σ and the threshold come from the validation part, the labels only score the flags.
 */
export interface Detection {
  threshold: number; flagged: number; precision: number; recall: number; f1: number;
  events: { total: number; detected: number };
}

/** Prediction errors (T) of reading t, for validation or scoring. */
export interface Errors { t: number; e: number[] }

export interface DetectOptions { quantile: number; window: number }

/** Flags the scored readings and scores them against labels (1 = anomaly), by reading index. */
export function detect(val: Errors[], test: Errors[], labels: ArrayLike<number>, o: DetectOptions): Detection {
  const T = val[0]?.e.length ?? 0;
  const sd = Array.from({ length: T }, (_, j) => Math.sqrt(val.reduce((a, r) => a + r.e[j] ** 2, 0) / val.length) || 1);
  const vs = scores(val, sd, o.window).sort((a, b) => a - b);
  const threshold = vs[Math.min(vs.length - 1, Math.floor(o.quantile * vs.length))];
  const flags = scores(test, sd, o.window).map((s) => s > threshold);
  return score01(flags, test.map((r) => labels[r.t] === 1), test.map((r) => r.t), threshold);
}

/** s_t for every reading: the trailing median of z over readings that follow one another (t − 1, t). */
export function scores(rows: Errors[], sd: number[], window: number): number[] {
  const z = rows.map((r) => Math.sqrt(r.e.reduce((a, v, j) => a + (v / sd[j]) ** 2, 0) / r.e.length));
  let runStart = 0;
  return z.map((_, k) => {
    if (k > 0 && rows[k].t !== rows[k - 1].t + 1) runStart = k;
    return median(z.slice(Math.max(runStart, k - window + 1), k + 1));
  });
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Point-wise precision/recall/F1, and events (runs of consecutive labelled readings) caught at least once. */
export function score01(flag: boolean[], truth: boolean[], idx: number[], threshold: number): Detection {
  let tp = 0, fp = 0, fn = 0;
  flag.forEach((f, k) => { if (f && truth[k]) tp++; else if (f) fp++; else if (truth[k]) fn++; });
  let total = 0, detected = 0, inEvent = false, caught = false;
  for (let k = 0; k <= truth.length; k++) {
    const on = k < truth.length && truth[k] && (k === 0 || !inEvent || idx[k] === idx[k - 1] + 1);
    if (on && !inEvent) { inEvent = true; caught = false; total++; }
    if (on && flag[k]) caught = true;
    if (!on && inEvent) { inEvent = false; if (caught) detected++; }
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0, recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, flagged: tp + fp, precision, recall, f1, events: { total, detected } };
}
