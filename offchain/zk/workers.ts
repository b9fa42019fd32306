// snarkjs proves and verifies on a BN254 curve object that it caches on globalThis together with its
// worker threads; while it lives, Node does not exit on its own. Long-running nodes keep it (building
// it costs ~0.3 s); tests and one-shot commands release it when done.

type CachedCurve = { terminate(): Promise<void> } | null | undefined;

/** Stops snarkjs' worker threads. Safe to call twice; the next proof builds a fresh curve. */
export async function releaseSnarkjsWorkers(): Promise<void> {
  const cache = globalThis as { curve_bn128?: CachedCurve };
  await cache.curve_bn128?.terminate();
}
