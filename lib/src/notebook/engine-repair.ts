/**
 * Repairing TensorFlow.js after an interrupt (chapter 5): an interrupted `tf.tidy` leaves its scope open, one in tfjs'
 * bookkeeping a tensor half disposed or half counted in. This rewrites engine internals, so only on tfjs 4.22.
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
  /** Tensors whose dispose an interrupt stopped halfway; finished, each counted once. */
  halfDisposed: number;
  /** Tensors an interrupt caught while tfjs was counting them in, never handed to the code that made them; freed. */
  halfCreated: number;
}

/** The parts of a tfjs tensor that the clean-up reads and repairs. */
interface TrackedTensor {
  kept?: boolean;
  isDisposed: boolean;
  isDisposedInternal?: boolean;
  dataId: object;
  dtype: string;
  shape: number[];
  size: number;
  dispose(): void;
}

/** The parts of a tfjs backend that the clean-up reads: its reference counts and its map of data. */
interface BackendInternals {
  refCount(dataId: object): number;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  /** The data map of the native rung (tfjs-node), the cpu backend and the wasm backend. */
  tensorMap?: Map<object, unknown>;
  data?: Map<object, unknown>;
  dataIdMap?: Map<object, unknown>;
  wasm?: unknown;
}

interface DataInfo {
  backend: BackendInternals;
  bytes: number;
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
    numStringTensors: number;
    numBytes: number;
    numDataBuffers: number;
    tensorInfo: WeakMap<object, DataInfo & { dtype: string; shape: number[] }>;
  };
  backend: BackendInternals;
  removeDataId(dataId: object, backend: unknown): void;
  disposeTensor(tensor: TrackedTensor): void;
  trackTensor(tensor: TrackedTensor, backend?: BackendInternals): void;
  endScope(result?: unknown): void;
}

/**
 * What tfjs' engine is doing: the scope it is closing, and the dispose or the counting-in of a tensor with its counters
 * as they were before it started. An interrupt ends JavaScript without running `finally` blocks, so after one an entry
 * still set says what it stopped halfway, and from what counts to redo it.
 */
interface EngineJournal {
  /** The scope tfjs' endScope is closing: once popped, its tensors and the result it hands on are in no open scope. */
  endingScope: { track: TrackedTensor[] } | null;
  op: 'dispose' | 'track' | null;
  tensor: TrackedTensor | null;
  /** dispose: the tensor's data record (undefined: tfjs had none and does nothing); track: whether one existed. */
  info: DataInfo | undefined;
  hadInfo: boolean;
  /** dispose: the backend's reference count of the data before. */
  refCount: number;
  /** track: the backend tfjs was given (none: its current one). */
  backend: BackendInternals | undefined;
  numTensors: number;
  numStringTensors: number;
  numBytes: number;
  numDataBuffers: number;
}

const journalKey = Symbol.for('dlkit.engineJournal');

function journalOf(engine: EngineInternals): EngineJournal | undefined {
  return (engine as unknown as Record<symbol, EngineJournal | undefined>)[journalKey];
}

function noteCounts(journal: EngineJournal, state: EngineInternals['state']): void {
  journal.numTensors = state.numTensors;
  journal.numStringTensors = state.numStringTensors;
  journal.numBytes = state.numBytes;
  journal.numDataBuffers = state.numDataBuffers;
}

/**
 * Makes tfjs' engine note its counters before each tensor's dispose and counting-in, and the scope it closes, so that
 * `closeInterruptedScopes` can finish what an interrupt stopped (unnoted, a half-disposed tensor looks untouched and a
 * second dispose counts it out twice). Idempotent; false, touching nothing, on a tfjs other than 4.22.
 */
export function journalEngineBookkeeping(): boolean {
  if (engineRepairRefusal() !== null) return false;
  const engine = tfjs.engine() as unknown as EngineInternals;
  if (journalOf(engine)) return true;
  const journal: EngineJournal = {
    endingScope: null, op: null, tensor: null, info: undefined, hadInfo: false, refCount: 0, backend: undefined,
    numTensors: 0, numStringTensors: 0, numBytes: 0, numDataBuffers: 0,
  };
  const dispose = engine.disposeTensor;
  const track = engine.trackTensor;
  const endScope = engine.endScope;
  // Each wrapper notes everything before setting `op`, the last statement before tfjs' own code; an interrupt before
  // that leaves nothing half done. `finally` forgets the note after tfjs returns or throws, but not after an interrupt.
  engine.disposeTensor = function (this: EngineInternals, tensor: TrackedTensor): void {
    const info = this.state.tensorInfo.get(tensor.dataId);
    journal.refCount = info === undefined ? 0 : info.backend.refCount(tensor.dataId);
    journal.info = info;
    noteCounts(journal, this.state);
    journal.tensor = tensor;
    journal.op = 'dispose';
    try {
      dispose.call(this, tensor);
    } finally {
      journal.op = null;
      journal.tensor = null;
      journal.info = undefined;
    }
  };
  engine.trackTensor = function (this: EngineInternals, tensor: TrackedTensor, backend?: BackendInternals): void {
    journal.hadInfo = this.state.tensorInfo.has(tensor.dataId);
    journal.backend = backend;
    noteCounts(journal, this.state);
    journal.tensor = tensor;
    journal.op = 'track';
    try {
      track.call(this, tensor, backend);
    } finally {
      journal.op = null;
      journal.tensor = null;
      journal.backend = undefined;
    }
  };
  engine.endScope = function (this: EngineInternals, result?: unknown): void {
    const outer = journal.endingScope;
    journal.endingScope = this.state.activeScope;
    try {
      endScope.call(this, result);
    } finally {
      journal.endingScope = outer;
    }
  };
  (engine as unknown as Record<symbol, EngineJournal>)[journalKey] = journal;
  return true;
}

/** The bytes tfjs counts for a tensor: complex numbers by their parts, strings when their values are written. */
function countedBytes(tensor: TrackedTensor): number {
  if (tensor.dtype === 'complex64' || tensor.dtype === 'string') return 0;
  return tensor.size * tfjs.util.bytesPerElement(tensor.dtype as 'float32');
}

/** The backend's own record of the data, if it still has one (the native rung, cpu and wasm backends). */
function backendDataMap(backend: BackendInternals): Map<object, unknown> | undefined {
  return backend.tensorMap ?? backend.data ?? backend.dataIdMap;
}

/**
 * Ends the backend's delete of data whose reference count an interrupt left at 0: the native rung's TensorFlow handle
 * may or may not be deleted yet (deleting it twice throws, which is caught). The wasm backend's buffer is only
 * forgotten, not freed: whether it was freed already cannot be told, and freeing it twice would corrupt its heap.
 */
function finishBackendDelete(backend: BackendInternals, dataId: object): void {
  if (backend.wasm === undefined) {
    try {
      backend.disposeData(dataId, true);
    } catch {
      // The native rung: the handle was deleted before the interrupt.
    }
  }
  backendDataMap(backend)?.delete(dataId);
}

/** Finishes the dispose the journal says an interrupt stopped: the counts are set from those noted before it began. */
function finishDispose(engine: EngineInternals, journal: EngineJournal, tensor: TrackedTensor): boolean {
  const { state } = engine;
  const info = journal.info;
  tensor.isDisposedInternal = true;
  if (info === undefined) return false;
  state.numTensors = journal.numTensors - 1;
  if (tensor.dtype === 'string') state.numStringTensors = journal.numStringTensors - 1;
  state.numBytes = journal.numBytes - (tensor.dtype === 'string' ? info.bytes : countedBytes(tensor));
  const { backend } = info;
  const refCount = backend.refCount(tensor.dataId);
  if (refCount === journal.refCount) {
    // The backend had not started: it drops this tensor's reference, and the data if it was the last.
    if (backend.disposeData(tensor.dataId)) engine.removeDataId(tensor.dataId, backend);
  } else if (refCount <= 0) {
    // The backend had freed the data, or was freeing it.
    if (backendDataMap(backend)?.has(tensor.dataId)) finishBackendDelete(backend, tensor.dataId);
    engine.removeDataId(tensor.dataId, backend);
  }
  // Otherwise the backend had dropped this tensor's reference to data other tensors still hold: nothing more to do.
  state.numDataBuffers = journal.numDataBuffers - (state.tensorInfo.has(tensor.dataId) ? 0 : 1);
  return true;
}

/**
 * Finishes counting in the tensor the journal says an interrupt stopped tfjs counting in, from the counts noted before
 * it began; then frees it, as no code got it (a variable, which tfjs registered before counting, is only counted in).
 */
function finishTrack(engine: EngineInternals, journal: EngineJournal, tensor: TrackedTensor): void {
  const { state } = engine;
  state.numTensors = journal.numTensors + 1;
  if (tensor.dtype === 'string') state.numStringTensors = journal.numStringTensors + 1;
  state.numBytes = journal.numBytes + countedBytes(tensor);
  if (!journal.hadInfo) {
    const backend = journal.backend ?? engine.backend;
    if (!state.tensorInfo.has(tensor.dataId)) {
      state.tensorInfo.set(tensor.dataId, { backend, dtype: tensor.dtype, shape: tensor.shape, bytes: countedBytes(tensor) });
    }
  }
  state.numDataBuffers = journal.numDataBuffers + (journal.hadInfo ? 0 : 1);
  if (tensor instanceof tfjs.Variable) {
    // tfjs counts a variable in from `incRef`, which then adds the variable's reference to its data.
    engine.backend.incRef(tensor.dataId);
    return;
  }
  tensor.dispose();
}

/** Finishes a tensor's dispose or counting-in that an interrupt stopped halfway, if the journal says there was one. */
function finishInterruptedBookkeeping(engine: EngineInternals): { halfDisposed: number; halfCreated: number } {
  const journal = journalOf(engine);
  const done = { halfDisposed: 0, halfCreated: 0 };
  if (!journal || journal.op === null || journal.tensor === null) return done;
  const { op, tensor } = journal;
  journal.op = null;
  journal.tensor = null;
  if (op === 'dispose') {
    if (finishDispose(engine, journal, tensor)) done.halfDisposed = 1;
  } else {
    finishTrack(engine, journal, tensor);
    done.halfCreated = 1;
  }
  journal.info = undefined;
  journal.backend = undefined;
  return done;
}

/**
 * Disposes a tensor an interrupt caught mid-dispose with no journal: freed by the backend but not marked disposed, it
 * looks alive and a second dispose fails ("Delete called on a Tensor not referenced"). Returns whether it was one.
 */
function disposeAfterInterrupt(engine: EngineInternals, tensor: TrackedTensor): boolean {
  try {
    tensor.dispose();
    return false;
  } catch {
    const { state } = engine;
    state.numTensors += 1;
    state.numBytes += countedBytes(tensor);
    const info = state.tensorInfo.get(tensor.dataId);
    if (info) {
      backendDataMap(info.backend)?.delete(tensor.dataId);
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
  // First the one tensor whose bookkeeping was stopped halfway, while the counts are still those it was stopped at.
  const finished = finishInterruptedBookkeeping(engine);
  const before = tfjs.memory().numTensors + finished.halfDisposed + finished.halfCreated;
  const engineState = engine.state;
  let scopes = 0;
  let halfDisposed = finished.halfDisposed;
  const release = (tensor: TrackedTensor): void => {
    if (!tensor.kept && !tensor.isDisposed && disposeAfterInterrupt(engine, tensor)) halfDisposed += 1;
  };
  // An interrupt inside tfjs' endScope after the pop leaves the popped scope's tensors in no open scope: the result it
  // was handing to its parent, which the interrupted code never got, goes now. Before the parent became active,
  // activeScope still shows the popped scope; after, only the journal does.
  const journal = journalOf(engine);
  const popped = new Set([engineState.activeScope, journal?.endingScope ?? null]);
  if (journal) journal.endingScope = null;
  for (const scope of popped) if (scope && !engineState.scopeStack.includes(scope)) scope.track.forEach(release);
  // Each open scope, innermost first, closed as tfjs' endScope would with no result, past tensors that fail to dispose.
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
  return { scopes, tensors: before - tfjs.memory().numTensors, halfDisposed, halfCreated: finished.halfCreated };
}
