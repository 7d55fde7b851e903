/// <reference lib="webworker" />
/**
 * What the two workers share: posting events to the page, and the message loop that answers it.
 * Every request runs in a try, so any error reaches the page as an 'error' event (which unlocks
 * its form) instead of dying in the worker; and a worker says 'ready', with its devices, first.
 */
import { getBackend, listDevices } from '../../src/web.js';
import type { SeriesEvent, TextEvent } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** The events both workers send with the same shape. */
type Common = Extract<TextEvent | SeriesEvent, { type: 'ready' | 'error' }>;

/** Posts an event to the page; `transfer` moves buffers instead of copying them. */
export function post<E extends { type: string }>(e: E, transfer: Transferable[] = []): void {
  self.postMessage(e, transfer);
}

/**
 * Hands each request from the page to `handle` and says 'ready'. A request does not wait for the
 * one before it: Stop, for one, has to reach a training loop that is still running.
 */
export function serve<R extends { type: string }>(handle: (req: R) => unknown): void {
  self.onmessage = async (e: MessageEvent<R>) => {
    const req = e.data;
    try {
      await handle(req);
    } catch (err) {
      post<Common>({ type: 'error', message: (err as Error).message, during: req.type });
    }
  };
  post<Common>({ type: 'ready', devices: listDevices(), auto: getBackend('auto').description });
}
