/**
 * What the two tabs share: the status line and what a screen reader hears of it, the worker a tab
 * talks to (its device, its failures, its model files), and the training form, locked while a
 * model trains. Each tab keeps only what its task needs: its settings, charts and results.
 */
import type { DeviceInfo } from '../../src/web.js';
import { Announcer, download, fillDevices, filePicker } from './ui.js';

/** What main.ts holds of a tab: its worker and the device that worker last reported. */
export interface Panel { worker: Worker; device: string }

/**
 * The status line the eye reads. It changes ten times a second while a model trains, so a screen
 * reader hears only milestones (`report`, `say`) and the progress now and then (`progress`).
 * `data-state` (idle, training, done, loaded, stopped, error) is what a test waits on.
 */
export class StatusLine {
  private readonly announcer: Announcer;

  constructor(readonly el: HTMLElement, region: HTMLElement) { this.announcer = new Announcer(region); }

  get text(): string { return this.el.textContent ?? ''; }

  /** Seen, not heard; a state is kept until another replaces it. */
  set(text: string, state?: string): void {
    this.el.textContent = text;
    this.el.classList.toggle('error', state === 'error');
    if (state) this.el.dataset.state = state;
  }

  /** A milestone: on the status line, and heard. */
  report(text: string, state?: string): void { this.set(text, state); this.say(text); }

  /** Heard only, e.g. news the status line does not carry. */
  say(text: string): void { this.announcer.say(text); }

  /** A line of progress: seen at once, heard at most every so often. */
  progress(line: string): void { this.set(line); this.announcer.progress(() => line); }

  error(message: string): void { this.report(`Error: ${message}`, 'error'); }
}

/** The first message of every worker: the devices it can use and the one `auto` picked. */
type Ready = { devices: DeviceInfo[]; auto: string };

export interface TabWorkerOptions<Event> {
  /** 'text' or 'series', for the message when the worker fails. */
  name: string;
  status: StatusLine;
  onDevice: (description: string) => void;
  onEvent: (e: Event) => unknown;
  /** The worker failed (an exception it did not catch, or it did not start): unlock the form. */
  onFail: () => void;
}

/**
 * A tab's worker. `spawn` writes out `new Worker(new URL('./worker.ts', import.meta.url))` in the
 * tab's own file, because that is the form Vite finds and bundles; `restart` ends the worker and
 * spawns another, for work that cannot be interrupted.
 */
export class TabWorker<Request, Event> implements Panel {
  worker: Worker;
  device = '';

  constructor(private readonly spawn: () => Worker, private readonly o: TabWorkerOptions<Event>) {
    this.worker = this.start();
  }

  private start(): Worker {
    const w = this.spawn();
    w.onmessage = (ev: MessageEvent<Event>) => this.o.onEvent(ev.data);
    w.onerror = (e) => {
      this.o.onFail();
      this.o.status.error(`the ${this.o.name} worker failed: ${e.message || 'it did not start'}`);
    };
    return w;
  }

  send(r: Request, transfer: Transferable[] = []): void { this.worker.postMessage(r, transfer); }

  restart(): void {
    this.worker.terminate();
    this.worker = this.start();
  }

  /** The device the worker computes on now, for the header's badge. */
  showDevice(description: string): void {
    this.device = description;
    this.o.onDevice(description);
  }

  /** The worker is up: mark the devices it can use in the tab's device select. */
  ready(select: HTMLSelectElement, e: Ready): void {
    fillDevices(select, e.devices, e.auto);
    this.showDevice(e.auto);
  }

  /** The worker wrote a model file: offer it as a download and say how the CLI uses it. */
  saved(e: { bytes: ArrayBuffer; name: string }, line: string): void {
    download(e.bytes, e.name);
    this.o.status.report(line);
  }
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement;

export interface TrainButtons { train: HTMLButtonElement; stop: HTMLButtonElement; save: HTMLButtonElement }

/**
 * The training form: while a model trains every control is off but Stop (the settings belong to
 * the run in progress); when idle, Save waits for a model and `keepOff` names any other control
 * the current settings rule out.
 */
export class TrainForm {
  busy = false;
  hasModel = false;

  constructor(readonly form: HTMLFormElement, readonly buttons: TrainButtons,
    private readonly keepOff: (el: Control) => boolean = () => false) {}

  set(busy: boolean): void {
    this.busy = busy;
    const { train, stop, save } = this.buttons;
    for (const el of this.form.querySelectorAll<Control>('input, select, textarea, button')) {
      if (el !== stop) el.disabled = busy || (el === save && !this.hasModel) || this.keepOff(el);
    }
    stop.disabled = !busy;
    train.textContent = busy ? 'Training…' : 'Train';
  }

  /** Train: `start` runs unless a model is training already. */
  onSubmit(start: () => void): void {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!this.busy) start();
    });
  }

  /** Stop: pressed once, it waits for the worker to say the run has ended. */
  onStop(stop: () => void): void {
    const button = this.buttons.stop;
    button.addEventListener('click', () => { button.disabled = true; stop(); });
  }

  /** Save model: the worker writes the file and sends it back (`TabWorker.saved`). */
  onSave(save: () => void): void { this.buttons.save.addEventListener('click', save); }
}

/** Open model…: the file's bytes go to the worker (`load`, to be transferred, not copied). */
export function openModelFile(button: HTMLButtonElement, input: HTMLInputElement, status: StatusLine,
  load: (bytes: ArrayBuffer, name: string) => void): void {
  filePicker(button, input, async (f) => {
    const bytes = await f.arrayBuffer();
    status.set(`Opening ${f.name}…`);
    load(bytes, f.name);
  });
}
