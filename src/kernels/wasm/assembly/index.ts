// AssemblyScript entry of the wasm backend's kernels (compiled by ../build.mjs; not TypeScript).
// Every pointer is a byte address in the shared linear memory; the module has no data segments,
// no globals that matter and no allocator, so any number of threads can instantiate it on one memory.
export { gemm, gemm_scratch_bytes, transpose } from './gemm';
export {
  rnn_forward, rnn_backward, lstm_forward, lstm_backward, gru_forward, gru_backward,
  mask_state, mask_rows, axpy, broadcast_rows, add_col_sums, gather_add_rows, scatter_add_rows, softmax_rows,
} from './pointwise';
export { step } from './step';
