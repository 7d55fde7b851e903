import { type KernelName, type WorkerThreads, isNode, nodeBuiltin } from './loader.js';

/**
 * Two threads on one shared memory: the calling thread and one worker, each running the same
 * compiled kernels. A job is one kernel call with up to 16 numeric arguments, posted through a
 * small control block (its own SharedArrayBuffer) and synchronised with Atomics:
 *
 *   caller: write args → SEQ = s → (notify if the worker sleeps) → run its own half →
 *           CAS(CLAIM, s−1 → s): if it wins, the worker never started, so run the other half too;
 *           else spin until DONE = s.
 *   worker: spin on SEQ for SPIN_MS after its last job, then Atomics.wait; on a new s,
 *           CAS(CLAIM, s−1 → s), run, DONE = s.
 *
 * Spinning costs ~0.3 µs per hand-over where an Atomics.wait/notify round trip costs 50–65 µs,
 * more than a whole time step; the claim lets the caller take back a job from a sleeping worker
 * instead of waiting for it to wake, so a cold worker never slows a call down. An idle worker
 * sleeps (no core burnt), is unref'd (never keeps Node alive) and is terminated by dispose().
 *
 * Spin barriers assume each thread has a core. When another process takes one, the worker can
 * be descheduled holding a job and the caller spins for a whole time slice (milliseconds). So the
 * team keeps a ledger: each hand-over saved (own half − wait) against doing both halves here,
 * credited up to CREDIT_MS. When the credit runs out (one long stall, or many hand-overs where the
 * worker is slower than it saves), or an awake worker misses MISSES jobs in a row, or (in Node)
 * the process got less than 1.5 cores of CPU time over a busy WINDOW_MS of hand-overs (both
 * threads were runnable throughout, so a neighbour is taking a core), the team stands down: callers run single-threaded and the worker falls asleep, leaving the core to whoever needs
 * it, for a back-off of 10 ms that doubles (up to 2 s) each time the next stand-down comes
 * within ESCALATE_MS of resuming, i.e. while the load persists.
 */
const SEQ = 0, CLAIM = 1, DONE = 2, SLEEP = 3, READY = 4, EXIT = 5, FN = 6, FAIL = 7, JOBS = 8, SLEEPS = 9;
const ARGS = 16;
/** How long an idle worker keeps spinning before it sleeps (covers the gaps inside a training step). */
export const SPIN_MS = 2;
/** A job the worker claimed but did not finish in this long means the worker is gone. */
const STALL_MS = 60_000;
/** The most time-saved the ledger holds: a stall longer than this (plus what it saved since) stands the team down. */
const CREDIT_MS = 1;
/** Jobs in a row that an awake worker failed to claim before the caller finished its half. */
const MISSES = 8;
/** CPU-time check: a window of at least this long and this many hand-overs, with the worker awake throughout. */
const WINDOW_MS = 50, WINDOW_JOBS = 50, MIN_CORES = 1.5;
/** A stand-down this soon after resuming doubles the back-off. */
const ESCALATE_MS = 100;
const cpuUsage = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process?.cpuUsage;
/** CPU time of this process (all threads) in ms, or NaN where unknown (browsers). */
const cpuMs = (): number => { if (!cpuUsage) return NaN; const u = cpuUsage(); return (u.user + u.system) / 1000; };

// Plain JavaScript: it runs as a Node eval worker or a Blob-URL Web Worker, so no imports, no TS.
const WORKER_SOURCE = `
'use strict';
function run(d) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const fns = d.names.map((n) => inst.exports[n]);
  const ctrl = new Int32Array(d.ctrl, 0, 16), a = new Float64Array(d.ctrl, 64, ${ARGS});
  Atomics.store(ctrl, ${READY}, 1);
  let seen = Atomics.load(ctrl, ${SEQ});
  for (;;) {
    let s = Atomics.load(ctrl, ${SEQ});
    if (s === seen) {
      let t0 = performance.now(), i = 0;
      while ((s = Atomics.load(ctrl, ${SEQ})) === seen) {
        if ((++i & 255) === 0 && performance.now() - t0 > d.spinMs) {
          Atomics.store(ctrl, ${SLEEP}, 1);
          Atomics.add(ctrl, ${SLEEPS}, 1);
          Atomics.wait(ctrl, ${SEQ}, seen);
          Atomics.store(ctrl, ${SLEEP}, 0);
          t0 = performance.now();
        }
      }
    }
    seen = s;
    if (Atomics.load(ctrl, ${EXIT}) !== 0) return;
    if (Atomics.compareExchange(ctrl, ${CLAIM}, (s - 1) | 0, s) !== ((s - 1) | 0)) continue; // taken back
    try {
      fns[ctrl[${FN}]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
    } catch (e) {
      Atomics.store(ctrl, ${FAIL}, 1);
    }
    Atomics.add(ctrl, ${JOBS}, 1);
    Atomics.store(ctrl, ${DONE}, s);
  }
}
`;

interface WorkerHandle { terminate(): unknown }

/** Why a worker thread cannot be started here, or null. */
export function workerUnavailableReason(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'no SharedArrayBuffer (browsers need cross-origin isolation)';
  if (isNode) return nodeBuiltin<WorkerThreads>('node:worker_threads') ? null : 'node:worker_threads not loaded (await initWasm() on Node < 20.16)';
  return typeof Worker === 'function' ? null : 'no Web Workers here';
}

export class Team {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly ids = new Map<KernelName, number>();
  private seq = 0;
  private worker: WorkerHandle | null;
  private dead = false;
  private backoffMs = 0;
  private backoffUntil = 0;
  private resumedAt = -Infinity;
  private credit = CREDIT_MS;
  private missed = 0;
  private win = { wall: 0, cpu: 0, sleeps: 0, jobs: 0 };
  /** Hand-overs posted, taken back from a worker that had not started, and stand-downs (see above). */
  readonly stats = { posted: 0, takenBack: 0, standDowns: 0, why: { credit: 0, misses: 0, cores: 0 } };

  /**
   * @param exports the caller's own instance, used for its half and for jobs it takes back
   * @param names the kernels the worker may be asked to run (it resolves them in its instance)
   */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory,
    private readonly exports: Record<string, (...a: number[]) => void>, names: readonly KernelName[]) {
    names.forEach((n, i) => this.ids.set(n, i));
    const sab = new SharedArrayBuffer(64 + ARGS * 8);
    this.ctrl = new Int32Array(sab, 0, 16);
    this.args = new Float64Array(sab, 64, ARGS);
    const data = { module, memory, ctrl: sab, names, spinMs: SPIN_MS };
    const fail = (): void => { this.dead = true; };
    if (isNode) {
      const wt = nodeBuiltin<WorkerThreads>('node:worker_threads')!;
      const w = new wt.Worker(`${WORKER_SOURCE}\nrun(require('node:worker_threads').workerData);`, { eval: true, workerData: data });
      w.unref();
      w.on('error', fail);
      w.on('exit', fail);
      this.worker = w;
    } else {
      const url = URL.createObjectURL(new Blob([`${WORKER_SOURCE}\nonmessage = (e) => run(e.data);`], { type: 'text/javascript' }));
      const w = new Worker(url);
      w.onerror = fail;
      w.postMessage(data);
      this.worker = w;
    }
  }

  /** The worker has instantiated the kernels and takes jobs (it starts asynchronously). */
  get ready(): boolean { return !this.dead && Atomics.load(this.ctrl, READY) === 1; }

  /** Ready, and not standing down. */
  get available(): boolean {
    if (!this.ready) return false;
    if (this.backoffUntil === 0) return true;
    if (performance.now() < this.backoffUntil) return false;
    this.resumedAt = this.backoffUntil;
    this.backoffUntil = 0;
    return true;
  }

  /** Jobs the worker has run (the rest of the posted ones this thread took back). */
  get workerJobs(): number { return Atomics.load(this.ctrl, JOBS); }

  /** Blocks until the worker is ready (tests and benchmarks; normal calls never wait for it). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    const t0 = Date.now();
    while (!this.ready && !this.dead && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 2));
    return this.ready;
  }

  /** Runs kernel `name` with `here` on this thread and `there` on the worker; returns when both are done. */
  run2(name: KernelName, here: number[], there: number[]): void {
    const f = this.exports[name];
    if (!this.ready) { f(...here); f(...there); return; }
    const { ctrl, args } = this;
    for (let i = 0; i < there.length; i++) args[i] = there[i];
    ctrl[FN] = this.ids.get(name)!;
    const s = (this.seq + 1) | 0, prev = this.seq;
    this.seq = s;
    Atomics.store(ctrl, SEQ, s);
    const asleep = Atomics.load(ctrl, SLEEP) !== 0;
    if (asleep) Atomics.notify(ctrl, SEQ, 1);
    this.stats.posted++;
    const t0 = performance.now();
    let error: unknown = null;
    try { f(...here); } catch (e) { error = e; }
    const t1 = performance.now();
    // never leave while the worker may still be writing: take its half back, or wait for it
    const mine = Atomics.compareExchange(ctrl, CLAIM, prev, s) === prev;
    if (!mine) this.waitFor(s, name);
    if (error !== null) throw error;
    if (mine) {
      this.stats.takenBack++;
      // an awake worker that keeps missing jobs is not getting a core either
      if (!asleep && ++this.missed >= MISSES) this.standDown(t1, 'misses');
      f(...there);
      return;
    }
    this.missed = 0;
    const t2 = performance.now();
    this.credit = Math.min(this.credit + (t1 - t0) - (t2 - t1), CREDIT_MS);
    if (this.credit < 0) this.standDown(t2, 'credit'); // the worker costs more than it saves: it lost its core
    else this.checkCores(t2);
    if (Atomics.load(ctrl, FAIL) !== 0) {
      Atomics.store(ctrl, FAIL, 0);
      throw new Error(`wasm: kernel ${name} failed on the worker thread`);
    }
  }

  /** Over a busy window with the worker never asleep, both threads were runnable: did they get two cores? */
  private checkCores(now: number): void {
    const w = this.win;
    w.jobs++;
    if (now - w.wall < WINDOW_MS) return;
    const cpu = cpuMs(), sleeps = Atomics.load(this.ctrl, SLEEPS);
    if (w.jobs >= WINDOW_JOBS && sleeps === w.sleeps && (cpu - w.cpu) / (now - w.wall) < MIN_CORES) this.standDown(now, 'cores');
    this.win = { wall: now, cpu, sleeps, jobs: 0 };
  }

  private standDown(now: number, why: keyof Team['stats']['why']): void {
    this.stats.standDowns++;
    this.stats.why[why]++;
    this.missed = 0;
    this.credit = CREDIT_MS;
    // doubled when this comes soon after resuming from the last one (the load persists); a stray
    // stall on a quiet machine (a neighbour's short burst) costs only the first 10 ms
    this.backoffMs = now - this.resumedAt < ESCALATE_MS ? Math.min(2 * this.backoffMs, 2000) : 10;
    this.backoffUntil = now + this.backoffMs;
  }

  /** Spins until the worker finished job s (events cannot arrive meanwhile, so a dead worker shows only as a stall). */
  private waitFor(s: number, name: string): void {
    for (let i = 1, t0 = 0; Atomics.load(this.ctrl, DONE) !== s; i++) {
      if ((i & 0xfffff) !== 0) continue;
      if (t0 === 0) t0 = Date.now();
      else if (Date.now() - t0 > STALL_MS) { this.dead = true; throw new Error(`wasm: the worker thread stalled in kernel ${name}`); }
    }
  }

  dispose(): void {
    if (this.worker === null) return;
    Atomics.store(this.ctrl, EXIT, 1);
    Atomics.store(this.ctrl, SEQ, (this.seq + 1) | 0);
    Atomics.notify(this.ctrl, SEQ);
    void this.worker.terminate();
    this.worker = null;
    this.dead = true;
  }
}
