import cliProgress from 'cli-progress';

/**
 * Progress of long work on stderr: a live bar with loss, throughput and ETA on a terminal
 * (cli-progress), plain lines every few seconds otherwise (logs, CI, --json runs).
 */
export interface Progress {
  start(total: number, startAt: number, label: string): void;
  update(done: number, info: { loss: number; rate: number; unit: string }): void;
  note(line: string): void;
  stop(): void;
}

export function makeProgress(opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { start() {}, update() {}, note() {}, stop() {} };
  return process.stderr.isTTY ? new BarProgress() : new LineProgress();
}

const fmtRate = (r: number): string => (r >= 1e4 ? `${(r / 1e3).toFixed(0)}k` : r >= 100 ? r.toFixed(0) : r.toFixed(1));

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | null = null;
  start(total: number, startAt: number, label: string): void {
    this.bar = new cliProgress.SingleBar({
      format: `${label} |{bar}| {value}/{total} loss {loss} | {rate} {unit}/s | ETA {eta_formatted}`,
      stream: process.stderr, hideCursor: true, etaBuffer: 50, clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, startAt, { loss: '-', rate: '-', unit: '' });
  }
  update(done: number, i: { loss: number; rate: number; unit: string }): void {
    this.bar?.update(done, { loss: i.loss.toFixed(4), rate: fmtRate(i.rate), unit: i.unit });
  }
  /** A line above the bar: clear the bar's line, print; the bar redraws on its next update. */
  note(line: string): void { process.stderr.write(`\r\x1b[2K${line}\n`); }
  stop(): void { this.bar?.stop(); this.bar = null; }
}

class LineProgress implements Progress {
  private total = 0; private label = ''; private last = 0; private t0 = 0; private startAt = 0;
  start(total: number, startAt: number, label: string): void {
    this.total = total; this.label = label; this.t0 = performance.now(); this.last = 0; this.startAt = startAt;
  }
  update(done: number, i: { loss: number; rate: number; unit: string }): void {
    const now = performance.now();
    if (now - this.last < 2000 && done < this.total) return;
    this.last = now;
    const per = (now - this.t0) / Math.max(1, done - this.startAt), eta = ((this.total - done) * per) / 1000;
    process.stderr.write(`${this.label} ${done}/${this.total} loss ${i.loss.toFixed(4)} ${fmtRate(i.rate)} ${i.unit}/s ETA ${eta.toFixed(0)}s\n`);
  }
  note(line: string): void { process.stderr.write(`${line}\n`); }
  stop(): void {}
}
