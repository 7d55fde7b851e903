import type { Pair } from './data.js';
import { type SequenceScore, majorityBaseline, nearestNeighbourBaseline, sampleIndexes, score } from './metrics.js';
import type { Translation } from './translation.js';

/**
 * Held-out evaluation: the model's outputs on the test sources against their references, beside
 * the majority baseline (on every test source) and the nearest-neighbour baseline (on a seeded
 * sample of at most `nnSample` sources, since it compares each with every training source).
 * Sources with several references count once, scored against the nearest reference.
 */
export interface Evaluation extends SequenceScore {
  test_examples: number;
  beam: number;
  baseline: {
    nearest_neighbour: SequenceScore & { sample: number };
    majority: SequenceScore;
  };
  /** A few test sources with their reference and output. */
  examples: { source: string; reference: string; output: string }[];
}

export function evaluateTranslation(tr: Translation, train: readonly Pair[], test: readonly Pair[],
  o: { beam?: number; alpha?: number; nnSample?: number; seed?: number } = {}): Evaluation {
  const refs = new Map<string, string[][]>();
  for (const p of test) { const r = refs.get(p.source); if (r) r.push(p.target); else refs.set(p.source, [p.target]); }
  const sources = [...refs.keys()], references = sources.map((s) => refs.get(s)!);
  // unknown characters of unseen words are read as <unk>, as in training
  const outputs = tr.translate(sources, { beam: o.beam, alpha: o.alpha, unknown: 'unk' }).map((r) => r.output);
  const majority = majorityBaseline(train);
  const nn = nearestNeighbourBaseline(train);
  const sample = sampleIndexes(sources.length, o.nnSample ?? 1000, o.seed ?? 0);
  return {
    ...score(outputs, references),
    test_examples: sources.length,
    beam: o.beam ?? 1,
    baseline: {
      nearest_neighbour: { ...score(sample.map((i) => nn(sources[i])), sample.map((i) => references[i])), sample: sample.length },
      majority: score(sources.map(majority), references),
    },
    examples: sources.slice(0, 8).map((s, i) => ({ source: s, reference: references[i][0].join(' '), output: outputs[i].join(' ') })),
  };
}
