import { DeviceError } from '../errors.js';
import type { DType } from '../tensor/tensor.js';
import type { AnyBackend, DeviceName } from './backend.js';
import { setHostKernels } from './host.js';
import { JsBackend } from './js/backend.js';

/**
 * Device selection, like the seed's `"mps" if available else "cpu"`: `'auto'` takes the fastest
 * backend that loaded on this machine and says which. Faster backends register themselves here
 * with a probe that explains why they are unavailable when they are.
 */
export type Device = 'auto' | DeviceName;

export interface BackendProvider {
  name: DeviceName;
  /** Higher is preferred by 'auto'. */
  priority: number;
  /** null when usable, else the reason it is not (shown to users who force it). */
  unavailableReason(): string | null;
  create(): AnyBackend;
}

const providers = new Map<DeviceName, BackendProvider>();
const instances = new Map<string, AnyBackend>();

/** Adds or replaces a backend; the wasm and native backends call this when their modules load. */
export function registerBackend(p: BackendProvider): void {
  providers.set(p.name, p);
  for (const k of [...instances.keys()]) if (k.startsWith(p.name)) instances.delete(k);
}

registerBackend({ name: 'cpu', priority: 0, unavailableReason: () => null, create: () => new JsBackend('float32') });

/** One backend as listDevices() reports it: whether it loaded here, and why not when it did not. */
export interface DeviceInfo { name: DeviceName; available: boolean; reason: string | null; priority: number }

/** Every known backend, most preferred first, with why it is unavailable where it is. */
export function listDevices(): DeviceInfo[] {
  return [...providers.values()]
    .map((p) => { const reason = p.unavailableReason(); return { name: p.name, available: reason === null, reason, priority: p.priority }; })
    .sort((a, b) => b.priority - a.priority);
}

/**
 * The backend for a device name. float64 always runs on the reference kernels (gradient checks).
 * @example getBackend('auto').description // e.g. "native (OpenBLAS, 2 threads, AVX-512)"
 */
export function getBackend(device: Device = defaultDevice, dtype: DType = 'float32'): AnyBackend {
  if (dtype === 'float64') {
    // the reference kernels are the float64 ones; the fast backends compute in float32 only
    if (device === 'auto' || device === 'cpu') return cached('cpu:float64', () => new JsBackend('float64'));
    if (device !== 'wasm' && device !== 'native') {
      throw new DeviceError(`device: expected one of auto, ${[...providers.keys()].join(', ')}, got '${String(device)}'`);
    }
    throw new DeviceError(`device '${device}' computes in float32 only; float64 runs on 'cpu' (or 'auto')`);
  }
  let name: DeviceName;
  if (device === 'auto') {
    name = listDevices().find((d) => d.available)!.name;
  } else {
    const p = providers.get(device);
    if (p === undefined) {
      throw new DeviceError(`device: expected one of auto, ${[...providers.keys()].join(', ')}, got '${String(device)}'`);
    }
    const reason = p.unavailableReason();
    if (reason !== null) throw new DeviceError(`device '${device}' is not available here: ${reason}`);
    name = device;
  }
  const b = cached(name, () => providers.get(name)!.create());
  if (device === defaultDevice) setHostKernels(b.host ?? null);
  return b;
}

function cached(key: string, make: () => AnyBackend): AnyBackend {
  let b = instances.get(key);
  if (b === undefined) { b = make(); instances.set(key, b); }
  return b;
}

let defaultDevice: Device = 'auto';

/** Sets the device used when a module or op is not given one. Returns the chosen backend. */
export function setDefaultDevice(device: Device): AnyBackend {
  getBackend(device); // throws before anything changes when the device is unavailable
  defaultDevice = device;
  return getBackend(device); // now the default: its host kernels are installed
}

/** The device modules and ops use when they are not given one ('auto' until setDefaultDevice). */
export const getDefaultDevice = (): Device => defaultDevice;
