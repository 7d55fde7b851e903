export type { Cell, StepBuffers } from './cell.js';
export { RNN_TANH, RNN_RELU } from './rnn.js';
export { LSTM as LSTM_CELL } from './lstm.js';
export { GRU as GRU_CELL } from './gru.js';
export * from './recurrent.js';
