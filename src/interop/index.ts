/**
 * Interop: recur models to and from PyTorch, and out to ONNX. Pure (bytes in, bytes out); the
 * CLI (`recur export`, `recur import`) adds the files.
 *   exportTorch(parsed)        → { safetensors, python, train }   the state dict, model.py, train.py (torchrun)
 *   importTorch(bytes, opts)   → recur model file bytes    a PyTorch state dict back into recur
 *   exportOnnx(parsed, opts)   → ONNX bytes                standard RNN/LSTM/GRU operators, opset 14
 */
export { type TorchExport, type ImportOptions, exportTorch, importTorch } from './torch.js';
export { type OnnxOptions, OPSET, exportOnnx } from './onnx/export.js';
export { type Net, SUPPORTED_KINDS, netOf } from './kinds.js';
