/**
 * Repairing TensorFlow.js after an interrupt (chapter 5). Interrupting synchronous code breaks it
 * wherever it is, possibly inside a `tf.tidy`, whose scope then stays open and keeps every tensor
 * created in it. `closeInterruptedScopes` closes such scopes and frees their tensors. It rewrites
 * private fields of tfjs' engine, so it runs only on the tfjs version it was written for and
 * refuses, with a clear error, on any other.
 */
import * as tfjs from '@tensorflow/tfjs';

/** The tfjs-core versions whose engine internals the repair was written for (chapter 5). */
export const ENGINE_REPAIR_TFJS_VERSION = '4.22';

/**
 * Why the engine repair will not run on TensorFlow.js `version` (default: the one loaded), or
 * null when it may (chapter 5).
 */
export function engineRepairRefusal(version: string = tfjs.version_core): string | null {
  const [major, minor] = String(version).split('.');
  if (`${major}.${minor}` === ENGINE_REPAIR_TFJS_VERSION) return null;
  return (
    `dlkit's repair of TensorFlow.js after an interrupt was written for tfjs ${ENGINE_REPAIR_TFJS_VERSION}.x ` +
    `and this is tfjs ${version}, whose engine internals may differ, so it does not touch them. ` +
    'Scopes an interrupt left open stay open: restart the kernel if tf.memory() keeps growing, ' +
    `or install @tensorflow/tfjs ${ENGINE_REPAIR_TFJS_VERSION}.x (the version in package.json).`
  );
}

/** What `closeInterruptedScopes` cleaned up (chapter 5). */
export interface ClosedScopes {
  scopes: number;
  tensors: number;
  /**
   * Tensors whose dispose an interrupt had stopped halfway: the backend had
   * already freed their data, so disposing them again failed; they are now
   * marked disposed and counted once.
   */
  halfDisposed: number;
}

/** The parts of a tfjs tensor that the clean-up reads and repairs. */
interface TrackedTensor {
  kept?: boolean;
  isDisposed: boolean;
  isDisposedInternal?: boolean;
  dataId: object;
  dtype: string;
  size: number;
  dispose(): void;
}

/** The parts of tfjs' engine that the clean-up reads and repairs (internal; tfjs 4). */
interface EngineInternals {
  state: {
    scopeStack: { track: TrackedTensor[] }[];
    activeScope: { track: TrackedTensor[] } | null;
    activeTape?: { saved?: TrackedTensor[] }[] | null;
    gradientDepth: number;
    kernelDepth: number;
    numDataMovesStack: number[];
    numTensors: number;
    numBytes: number;
    tensorInfo: Map<object, { backend: { tensorMap?: { delete(dataId: object): unknown } } }>;
  };
  removeDataId(dataId: object, backend: unknown): void;
}

/**
 * Disposes a tensor an interrupt may have caught in the middle of its own
 * dispose (chapter 5). tfjs' engine counts a tensor as gone, then asks the
 * backend to free its data, then marks the tensor disposed; an interrupt
 * between the backend's freeing and the marking (on the native rung: after
 * TensorFlow deleted the handle, before tfjs-node forgot its id) leaves a
 * tensor that looks alive and whose second dispose fails ("Delete called on a
 * Tensor not referenced"). Then the engine has counted it twice: count it
 * once, forget its records and mark it disposed. Returns whether it was such
 * a tensor.
 */
function disposeAfterInterrupt(engine: EngineInternals, tensor: TrackedTensor): boolean {
  try {
    tensor.dispose();
    return false;
  } catch {
    const { state } = engine;
    state.numTensors += 1;
    if (tensor.dtype !== 'complex64' && tensor.dtype !== 'string') state.numBytes += tensor.size * tfjs.util.bytesPerElement(tensor.dtype as 'float32');
    const info = state.tensorInfo.get(tensor.dataId);
    if (info) {
      info.backend.tensorMap?.delete(tensor.dataId);
      engine.removeDataId(tensor.dataId, info.backend);
    }
    tensor.isDisposedInternal = true;
    return true;
  }
}

/**
 * Closes the TensorFlow.js scopes that interrupted code left open, freeing the
 * tensors they tracked, and drops a gradient tape left recording (chapter 5).
 * dlkit calls it after every interrupt. Call it only between cells (never
 * inside a `tf.tidy`): it closes every open scope. A tensor whose dispose the
 * interrupt stopped halfway is finished too (`halfDisposed`), so one broken
 * tensor never stops the clean-up of the others. On a tfjs version other than
 * `ENGINE_REPAIR_TFJS_VERSION` it throws and touches nothing (`tfjsVersion`
 * stands in for the loaded version, to try that).
 */
export function closeInterruptedScopes(options: { tfjsVersion?: string } = {}): ClosedScopes {
  const refusal = engineRepairRefusal(options.tfjsVersion);
  if (refusal !== null) throw new Error(refusal);
  const engine = tfjs.engine() as unknown as EngineInternals;
  const before = tfjs.memory().numTensors;
  const engineState = engine.state;
  let scopes = 0;
  let halfDisposed = 0;
  const release = (tensor: TrackedTensor): void => {
    if (!tensor.kept && !tensor.isDisposed && disposeAfterInterrupt(engine, tensor)) halfDisposed += 1;
  };
  // An interrupt inside tfjs' endScope, after it popped a scope but before it
  // made the parent active, leaves activeScope pointing at the popped scope.
  // Its tensors are disposed but the one it was handing to its parent; that
  // one goes now (the code that would have received it was stopped).
  const stale = engineState.activeScope;
  if (stale && !engineState.scopeStack.includes(stale)) stale.track.forEach(release);
  // Each open scope, innermost first, as tfjs' endScope would close it with no
  // result to hand on, but going on past a tensor that fails to dispose.
  while (engineState.scopeStack.length > 0) {
    const scope = engineState.scopeStack[engineState.scopeStack.length - 1] as { track: TrackedTensor[] };
    engineState.activeScope = scope;
    scope.track.forEach(release);
    engineState.scopeStack.pop();
    scopes += 1;
  }
  engineState.activeScope = null;
  if (Array.isArray(engineState.activeTape)) {
    for (const node of engineState.activeTape) (node.saved ?? []).forEach(release);
    engineState.activeTape = null;
  }
  engineState.gradientDepth = 0;
  engineState.kernelDepth = 0;
  engineState.numDataMovesStack = [];
  return { scopes, tensors: before - tfjs.memory().numTensors, halfDisposed };
}
