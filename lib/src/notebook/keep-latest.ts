/**
 * Re-running a cell without leaking (chapter 5). A notebook cell that builds a
 * model, `const model = mlp(...)`, makes a new model each time it runs, and the
 * old one's weights stay in memory with nothing pointing at them. Written
 * `const model = keepLatest('model', mlp(...))`, the cell disposes the model it
 * built the previous time.
 */

/** Anything with a `dispose()` method: a model, a Trainer, a Dataset, a tensor (chapter 5). */
export interface DisposableValue {
  dispose(): unknown;
}

const kept = new Map<string, DisposableValue>();

function alreadyDisposed(value: DisposableValue): boolean {
  if ((value as { isDisposed?: unknown }).isDisposed === true) return true;
  // A tf.LayersModel counts its users in the private `_refCount`; 0 means it has been disposed (its
  // dispose() would throw).
  return (value as unknown as { _refCount?: number | null })._refCount === 0;
}

/**
 * Returns `value` and disposes the value kept under the same `name` before
 * (chapter 5), so that re-running a cell written
 * `const model = keepLatest('model', mlp(...))` frees the model it replaces
 * instead of leaking it. Give every cell its own name. Works with models,
 * Trainers (disposing one frees the optimiser state it created), Datasets and
 * tensors. Keeping the same object again, or one you already disposed
 * yourself, does nothing more.
 */
export function keepLatest<T extends DisposableValue>(name: string, value: T): T {
  if (typeof name !== 'string' || name === '') throw new Error('keepLatest: give a non-empty name, e.g. keepLatest("model", mlp(...)).');
  if (value === null || typeof value !== 'object' || typeof (value as DisposableValue).dispose !== 'function') {
    throw new Error(`keepLatest("${name}", ...): the value must have a dispose() method (a model, a Trainer, a Dataset or a tensor).`);
  }
  const previous = kept.get(name);
  kept.set(name, value);
  if (previous !== undefined && previous !== value && !alreadyDisposed(previous)) previous.dispose();
  return value;
}
