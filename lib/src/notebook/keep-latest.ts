/** Re-running a cell without leaking (chapter 5): `const model = keepLatest('model', mlp(...))` frees the previous run's model. */

/** Anything with a `dispose()` method: a model, a Trainer, a Dataset, a tensor. */
export interface DisposableValue {
  dispose(): unknown;
}

const kept = new Map<string, DisposableValue>();

function alreadyDisposed(value: DisposableValue): boolean {
  if ((value as { isDisposed?: unknown }).isDisposed === true) return true;
  // A tf.LayersModel counts its users in the private `_refCount`; 0 means disposed (its dispose() would throw).
  return (value as unknown as { _refCount?: number | null })._refCount === 0;
}

/** Returns `value` and disposes what was kept under `name` before (one name per cell), unless the same or disposed. */
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
