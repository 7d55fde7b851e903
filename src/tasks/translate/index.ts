/**
 * Sequence-to-sequence translation (many-to-many, different lengths), e.g. grapheme-to-phoneme
 * conversion on CMUdict: pairs and vocabularies (data), additive attention, the encoder–decoder
 * (model), greedy and beam-search decoding (decode), scores and baselines (metrics, evaluate),
 * training with checkpoints (train, run) and a trained model's runtime (translation).
 */
export * from './data.js';
export * from './attention.js';
export * from './model.js';
export * from './decode.js';
export * from './metrics.js';
export * from './train.js';
export * from './translation.js';
export * from './evaluate.js';
export * from './run.js';
