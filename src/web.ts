/**
 * The browser entry the playground (web/) imports: the portable library plus the tasks and the
 * training loop that run in a page or a worker. Re-exports only; nothing here reaches Node.
 * (Node-only parts stay out: `node.ts`, the data-set readers, file checkpoints, cli-progress.)
 */
export * from './index.js';
export * from './tasks/text/index.js';
export * from './tasks/forecast/index.js';
export * from './tasks/forecast/stat-baselines.js';
export {
  runLoop, TrainingError, type TrainTask, type LoopOptions, type LoopResult, type CheckpointStore, type RunOptions,
} from './train/loop.js';
export type { Checkpoint } from './train/checkpoint-types.js';
export type { Progress } from './train/progress.js';
export { snapshotTraining, restoreTraining, type TrainingState, type TrainingJson } from './train/training-state.js';
