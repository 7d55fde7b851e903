export type { Backend, AnyBackend, DeviceName, StepKernel, StepLayer, StepMode, StepSpec } from './backend.js';
export type {
  View, GemmArgs, RnnForwardArgs, RnnBackwardArgs, LstmForwardArgs, LstmBackwardArgs, GruForwardArgs, GruBackwardArgs,
} from './backend.js';
export { at } from './backend.js';
export { JsBackend } from './js/backend.js';
export { gemm as gemmReference } from './js/gemm.js';
export * from './device.js';
export { hostGemm, hostKernels, setHostKernels, referenceHostKernels, type HostKernels } from './host.js';
export { initWasm } from './wasm/register.js';
export { nativeInfo, setNativeGemm, type NativeInfo } from './native/index.js';
