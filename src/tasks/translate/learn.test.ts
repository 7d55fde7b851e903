import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import '../../autograd/index.js';
import { cmudictPath } from '../../data/datasets.js';
import { makeProgress } from '../../train/progress.js';
import { parseCmudict } from './data.js';
import { runTranslate } from './run.js';

/**
 * The translator learns real grapheme-to-phoneme conversion: 2,000 CMUdict words, two epochs of a
 * small attention model, and its phoneme error rate on 200 unseen words is far below the majority
 * baseline and below the nearest-neighbour one. Broken gradients, attention or decoding fail this.
 */
it('learns pronunciations of unseen CMUdict words (2,000 words, two epochs)', async () => {
  const pairs = parseCmudict(readFileSync(cmudictPath(), 'utf8'));
  const r = await runTranslate(pairs, {
    limit: 2000, hidden: 32, embed: 16, attention: true, epochs: 2, batch: 32, lr: 0.01, nnSample: 200, device: 'cpu', seed: 0,
  }, { progress: makeProgress({ quiet: true }), store: null, checkpointEvery: 0, resume: false });
  const ev = r.evaluation!;
  expect(ev.test_examples).toBe(200);
  const summary = JSON.stringify({ model: ev.token_error_rate, baselines: ev.baseline, examples: ev.examples.slice(0, 3) });
  expect(ev.token_error_rate, summary).toBeLessThan(0.6 * ev.baseline.majority.token_error_rate);
  expect(ev.token_error_rate, summary).toBeLessThan(ev.baseline.nearest_neighbour.token_error_rate);
  expect(ev.exact_match, summary).toBeGreaterThan(0.05);
}, 120_000);
