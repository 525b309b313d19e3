/**
 * Repairing TensorFlow.js after an interrupt (chapter 5): an interrupted `tf.tidy` leaves its scope open with every
 * tensor in it. This rewrites private fields of tfjs' engine, so it refuses any tfjs version but the one it was written for.
 */
import * as tfjs from '@tensorflow/tfjs';

/** The tfjs-core versions whose engine internals the repair was written for. */
export const ENGINE_REPAIR_TFJS_VERSION = '4.22';

/** Why the engine repair will not run on TensorFlow.js `version` (default: the loaded one), or null. */
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

/** What `closeInterruptedScopes` cleaned up. */
export interface ClosedScopes {
  scopes: number;
  tensors: number;
  /** Tensors whose dispose an interrupt stopped after the backend freed their data; now marked disposed, counted once. */
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
 * Disposes a tensor an interrupt caught mid-dispose: between the backend freeing its data and tfjs marking it
 * disposed, it looks alive and a second dispose fails ("Delete called on a Tensor not referenced"). Counted once,
 * its records forgotten, marked disposed. Returns whether it was such a tensor.
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
 * Closes the scopes interrupted code left open, freeing their tensors, and drops a recording gradient tape; dlkit
 * calls it after every interrupt. Only between cells (it closes every scope). Throws, touching nothing, on a tfjs
 * version other than `ENGINE_REPAIR_TFJS_VERSION` (`tfjsVersion` stands in for the loaded one).
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
  // An interrupt inside tfjs' endScope, after the pop but before the parent became active, leaves activeScope on the
  // popped scope; the tensor it was handing to its parent goes now.
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
