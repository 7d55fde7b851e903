import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './module.generated.js';
import { canShareMemory, relaxedSimdAvailable, simdUnavailableReason, withSharedMemory } from './loader.js';

const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

describe('wasm loader', () => {
  it('finds SIMD, relaxed SIMD (switching V8\'s flag on in Node 20) and shared memory here', () => {
    expect(simdUnavailableReason()).toBeNull();
    expect(relaxedSimdAvailable()).toBe(true);
    expect(canShareMemory()).toBe(true);
  });

  it('declares the memory import shared or not by one byte, and both validate', () => {
    for (const b64 of [SIMD_WASM_BASE64, RELAXED_WASM_BASE64]) {
      const b = bytes(b64), shared = withSharedMemory(b, true), plain = withSharedMemory(b, false);
      expect(shared).toEqual(b); // the build declares it shared
      const diff = [...plain].flatMap((v, i) => (v === b[i] ? [] : [i]));
      expect(diff.length).toBe(1);
      expect([b[diff[0]], plain[diff[0]]]).toEqual([0x03, 0x01]);
      expect(WebAssembly.validate(plain as BufferSource)).toBe(true);
      expect(() => new WebAssembly.Instance(new WebAssembly.Module(plain as BufferSource),
        { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 4 }) } })).not.toThrow();
    }
  });

  it('without process.getBuiltinModule (Node < 20.16): one thread on plain SIMD until initWasm(), then both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-wasm-'));
    try {
      const script = join(dir, 'old-node.mts');
      const register = new URL('./register.ts', import.meta.url).pathname, device = new URL('../device.ts', import.meta.url).pathname;
      writeFileSync(script, `
        delete (process as { getBuiltinModule?: unknown }).getBuiltinModule;
        const { initWasm } = await import(${JSON.stringify(register)});
        const { getBackend } = await import(${JSON.stringify(device)});
        const before = getBackend('wasm').description;
        await initWasm();
        // initWasm registered its own backend: the device now resolves to it
        console.log(JSON.stringify([before, getBackend('wasm').description]));
      `);
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
      const [before, after] = JSON.parse(out.trim().split('\n').pop()!) as [string, string];
      expect(before).toMatch(/SIMD128, 1 thread: node:worker_threads not loaded/);
      expect(after).toBe('wasm (AssemblyScript kernels, SIMD128 + relaxed FMA, 2 threads)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
