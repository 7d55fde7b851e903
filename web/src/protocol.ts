/**
 * Messages between the page and its two workers (text, series). Training, sampling and
 * reading run in the workers, so the page never freezes; the page only draws.
 * Matrices travel as { rows, cols, data } with data row-major (rows, cols).
 */
import type { DeviceInfo } from '../../src/web.js';

export type DeviceChoice = 'auto' | 'cpu' | 'wasm';
export type TextCell = 'lstm' | 'gru' | 'rnn' | 'seed';

/** A weight matrix (rows, cols) row-major; gates: the names of the gate blocks stacked by rows (LSTM i f g o, GRU r z n). */
export interface Matrix { name: string; rows: number; cols: number; data: Float32Array; gates?: string[] }

export interface TextConfig {
  cell: TextCell; hidden: number; layers: number; seq: number; batch: number; steps: number; lr: number;
  seed: number; device: DeviceChoice;
}
/** abc: ABC tune mode, as `recur text sample --abc`: start from a tune header, stop after 16 bars. */
export interface SampleConfig { prime: string; length: number; temperature: number; seed: number; device: DeviceChoice; abc: boolean }

/** What the page says to the text worker. */
export type TextRequest =
  | { type: 'train'; text: string; source: string; config: TextConfig; live: { temperature: number; probe: string } }
  | { type: 'stop' }
  /** Live settings while training: the temperature of the running samples, the text the heat map reads. */
  | { type: 'live'; temperature: number; probe: string }
  | { type: 'sample'; config: SampleConfig }
  | { type: 'probe'; text: string }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer; name: string };

/** One character read by the network: its hidden state and what it expects next. */
export interface ProbeResult {
  chars: string[];
  /** Hidden units (H) and the states, (T, H) row-major: states[t·H + u]. */
  H: number;
  states: Float32Array;
  /** The five most likely next characters after each position. */
  next: { c: string; p: number }[][];
  /** Which layer's state it is, e.g. "layer 1 of 2" or "h of the seed cell". */
  label: string;
}

export interface ModelInfo {
  kind: string; cell: TextCell; hidden: number; layers: number; vocab: number; params: number; source: string; abc: boolean;
}

/** What the text worker says back. */
export type TextEvent =
  | { type: 'ready'; devices: DeviceInfo[]; auto: string }
  | { type: 'started'; device: string; info: ModelInfo; batch: number; notes: string[] }
  /** losses: the loss of each step since the last message, ending at `step`; smooth: the loop's running average. */
  | { type: 'progress'; step: number; total: number; losses: number[]; smooth: number; rate: number }
  | { type: 'eval'; step: number; valLoss: number }
  /** A live sample while training (step) or one asked for (step null), with the settings it was drawn with. */
  | { type: 'sample'; step: number | null; text: string; prime: string; device: string; temperature: number; seed: number }
  /** layer: which layer of a stack the matrices are ("2 of 2"), null for a single layer. */
  | { type: 'weights'; step: number; mats: Matrix[]; layer: string | null }
  | { type: 'probe'; step: number | null; probe: ProbeResult }
  | { type: 'done'; steps: number; trainLoss: number; valLoss: number | null; seconds: number; charsPerSec: number; stopped: boolean }
  | { type: 'saved'; bytes: ArrayBuffer; name: string }
  | { type: 'loaded'; info: ModelInfo; device: string }
  | { type: 'note'; line: string }
  | { type: 'error'; message: string; during: string };

/** hybrid: the ES-RNN (exponential smoothing + LSTM, a median ensemble); rnn: the recurrent network of runForecast. */
export type SeriesModel = 'hybrid' | 'rnn';
export interface SeriesConfig {
  model: SeriesModel; target: string; cell: 'lstm' | 'gru' | 'rnn'; hidden: number; horizon: number; epochs: number;
  lookback: number | null; seed: number; device: DeviceChoice;
}

/** What each line is, for its colour and stroke: the forecaster on top, ETS beside it, the naive ones dashed below. */
export type LineRole = 'actual' | 'model' | 'ets' | 'baseline';
/** One plotted line: the forecasts of one forecaster (or the actual values) over the test tail. */
export interface SeriesLine { name: string; role: LineRole; values: number[] }
/** A row of the scores table; NaN scores for a baseline that was left out (detail says why). */
export interface ScoreRow { name: string; detail: string; mae: number; rmse: number; smape: number; mase: number }
export interface ForecastPlot {
  target: string; x: (number | string)[]; xIsDate: boolean; lines: SeriesLine[];
  /** The model first, then every baseline, always the same rows (detail: inputs, season, window, ETS's form). */
  table: ScoreRow[];
  verdict: string; horizon: number;
  /** What the forecaster is, for the status line: "hybrid of 2, season 12" or "lookback 14, season 7, level inputs". */
  summary: string;
}

export type SeriesRequest =
  | { type: 'train'; csv: string; source: string; config: SeriesConfig }
  | { type: 'stop' }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer; name: string; csv: string; source: string; device: DeviceChoice };

export type SeriesEvent =
  | { type: 'ready'; devices: DeviceInfo[]; auto: string }
  | { type: 'started'; device: string; rows: number; columns: string[]; notes: string[] }
  | { type: 'progress'; step: number; total: number; loss: number }
  /** The end of an epoch of one candidate; run: its input scaling ('level' or 'relative'); valMae: its validation MAE, scaled (in standard deviations of the target). */
  | { type: 'epoch'; run: string; epoch: number; valMae: number }
  /** A member of the hybrid's ensemble trained (k of `of`, from 0); valLoss: its validation MAE in log (or scaled) units. */
  | {
    type: 'member'; k: number; of: number; lookback: number; seed: number; bestEpoch: number; epochs: number;
    valLoss: number;
  }
  | { type: 'note'; line: string }
  | { type: 'result'; plot: ForecastPlot; model: SeriesModel; canSave: boolean; source: 'trained' | 'loaded' }
  | { type: 'saved'; bytes: ArrayBuffer; name: string }
  | { type: 'error'; message: string; during: string };
