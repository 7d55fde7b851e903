import { describe, expect, it } from 'vitest';
import * as recur from './node.js';
import type {
  CellName, ClassifyOptions, ClassifyRun, ForecastOptions, ForecastRun, GenerateOptions, GenerateRun,
  GenerateSampleOptions, RunOptions, SampleOptions, SensorOptions, SensorRun, SmoothOptions, SmoothRun, TextOptions,
  TextRun, TrainingState, TranslateDecodeOptions, TranslateEvaluation, TranslateRun, TranslateRunOptions,
} from './node.js';

/**
 * The typed API (`import 'recur'` under Node) offers every task: its run function, its options
 * and result types, and the pieces the tasks share. The type imports above are checked by
 * `npm run typecheck`; the values below at run time, so a barrel cannot silently lose a task.
 */
type _Types = [
  CellName, ClassifyOptions, ClassifyRun, ForecastOptions, ForecastRun, GenerateOptions, GenerateRun,
  GenerateSampleOptions, RunOptions, SampleOptions, SensorOptions, SensorRun, SmoothOptions, SmoothRun, TextOptions,
  TextRun, TrainingState, TranslateDecodeOptions, TranslateEvaluation, TranslateRun, TranslateRunOptions,
];

const TASKS = {
  forecast: ['runForecast', 'forecastTask', 'Forecaster'],
  text: ['runText', 'runTextFile', 'TextTrainer', 'resolveTextOptions', 'Sampler'],
  smooth: ['runSmooth', 'Denoiser'],
  sensors: ['runSensors'],
  classify: ['runClassify', 'SequenceClassifier', 'padBatch'],
  generate: ['runGenerate', 'ConditionalGenerator', 'sampleTexts', 'encodePairs'],
  translate: ['runTranslate', 'Translator', 'beamSearch', 'translateEncodePairs', 'translatePadBatch'],
  shared: ['makeRecurrent', 'runLoop', 'snapshotTraining', 'restoreTraining', 'fileStore'],
} as const;

describe('the Node entry', () => {
  it.each(Object.entries(TASKS))('offers %s', (_task, names) => {
    for (const n of names) expect(typeof (recur as Record<string, unknown>)[n], n).toBe('function');
  });

  it('has the text-training defaults in one constant', () => {
    expect(recur.TEXT_DEFAULTS).toMatchObject({ cell: 'lstm', hidden: 256, steps: 1000 });
    expect(recur.resolveTextOptions({})).toEqual(recur.TEXT_DEFAULTS);
  });
});

export type { _Types };
