/**
 * The stop button (chapter 5). Jupyter's "interrupt kernel" sends SIGINT to
 * the kernel. dlkit listens for it, and every long loop in dlkit (training,
 * DQN, evaluations, throughput measurements) asks at each batch or step
 * whether an interrupt arrived since it started, and if so stops there,
 * keeping the work of the steps it completed.
 *
 * Which interrupts count: a loop counts the interrupts that arrive after it
 * started, so an old interrupt never stops the next cell's training. Inside
 * the tslab kernel an interrupt also stops loops that start later in the same
 * (interrupted) cell, e.g. the next run of a loop over configurations.
 *
 * Interrupting synchronous code breaks it wherever it is, possibly inside a
 * `tf.tidy`, whose scope then stays open and keeps every tensor created in it.
 * After an interrupt dlkit closes such scopes and frees their tensors
 * (`closeInterruptedScopes`).
 */
import { tf } from '../backend/tf';

interface InterruptState {
  /** Interrupts received so far. */
  count: number;
  /** The cell (see `currentCell`) that the last interrupt arrived in. */
  interruptedCell: unknown;
  installed: boolean;
}

// Kept on globalThis so that two copies of dlkit in one kernel share one listener.
const stateKey = Symbol.for('dlkit.interrupts');
const state: InterruptState = ((globalThis as Record<symbol, unknown>)[stateKey] as InterruptState | undefined) ?? {
  count: 0,
  interruptedCell: null,
  installed: false,
};
(globalThis as Record<symbol, unknown>)[stateKey] = state;

/**
 * Identifies the running cell inside tslab, null elsewhere. tslab installs a new
 * `process.stdout.write` (forwarding to the cell's output) for every cell it
 * executes, so the function changes exactly when a new cell starts.
 */
function currentCell(): unknown {
  return '__tslab__' in globalThis ? process.stdout.write : null;
}

function onInterrupt(): void {
  state.count += 1;
  state.interruptedCell = currentCell();
  // At the start of a macrotask no `tf.tidy` can be running, so any scope still
  // open then was left by code that an interrupt broke.
  setImmediate(() => {
    try {
      const closed = closeInterruptedScopes();
      if (closed.scopes > 0) {
        const halfway = closed.halfDisposed > 0 ? `, and finished ${closed.halfDisposed} whose dispose it had stopped halfway` : '';
        console.log(`dlkit: the interrupt left ${closed.scopes} TensorFlow.js scope(s) open; closed them and freed ${closed.tensors} tensor(s)${halfway}.`);
      }
    } catch (error) {
      // Never throw from here: an uncaught exception ends the kernel (the wasm backend rethrows it).
      console.error(`dlkit: could not clean up TensorFlow.js after the interrupt: ${(error as Error).message}. Restart the kernel if tf.memory() keeps growing.`);
    }
  });
}

/**
 * Listens for interrupts (SIGINT) from now on (chapter 5). Idempotent. dlkit
 * calls it itself inside a notebook kernel; a script calls it to let Ctrl-C stop
 * dlkit's loops instead of the process (the listener replaces Node's default
 * exit on SIGINT).
 */
export function installInterruptHandler(): void {
  if (state.installed) return;
  state.installed = true;
  if ('__tslab__' in globalThis) {
    // A kernel cell's synchronous code runs with Node's `breakOnSigint`, which takes the SIGINT
    // listeners away for the run and gives them back after it. A listener added during the run (dlkit
    // is imported in a cell) is then already there when they come back, so Node never gives SIGINT
    // back to its listeners: it stays with Node's exit handler, and the next interrupt outside a
    // cell's synchronous part (during `await initBackend()`, between cells) ended the kernel.
    // Listening once the run is over keeps SIGINT with the listeners.
    process.nextTick(() => process.on('SIGINT', onInterrupt));
  } else {
    process.on('SIGINT', onInterrupt);
  }
}

/**
 * Installs the listener where someone already handles SIGINT (the tslab kernel
 * does): in a plain script Ctrl-C keeps ending the process.
 */
function installWhereHosted(): void {
  if (!state.installed && ('__tslab__' in globalThis || process.listenerCount('SIGINT') > 0)) installInterruptHandler();
}

/** Interrupts received since dlkit started listening (chapter 5). */
export function interruptCount(): number {
  return state.count;
}

/** Says whether a loop should stop because of an interrupt (chapter 5); from `watchInterrupts()`. */
export class InterruptWatch {
  private readonly startCount: number;
  private lastYield = performance.now();

  /** Milliseconds between yields to the event loop in `shouldStop()`, so that a SIGINT can be heard. */
  constructor(private readonly yieldEveryMs = 100) {
    installWhereHosted();
    const cell = currentCell();
    // Started later in a cell that was interrupted: stop at once.
    const inInterruptedCell = state.count > 0 && cell !== null && cell === state.interruptedCell;
    this.startCount = inInterruptedCell ? state.count - 1 : state.count;
  }

  /** True once an interrupt arrived after this watch started. */
  get requested(): boolean {
    return state.count !== this.startCount;
  }

  /**
   * Call at each batch or step boundary of an asynchronous loop: lets the event
   * loop run every `yieldEveryMs` (a signal is only delivered then), and says
   * whether to stop.
   */
  async shouldStop(): Promise<boolean> {
    if (performance.now() - this.lastYield >= this.yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    return this.requested;
  }
}

/**
 * Starts watching for interrupts, for one loop (chapter 5):
 * `const interrupts = watchInterrupts(); for (...) { if (await interrupts.shouldStop()) break; ... }`.
 */
export function watchInterrupts(): InterruptWatch {
  return new InterruptWatch();
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
    if (tensor.dtype !== 'complex64' && tensor.dtype !== 'string') state.numBytes += tensor.size * tf.util.bytesPerElement(tensor.dtype as 'float32');
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
 * tensor never stops the clean-up of the others.
 */
export function closeInterruptedScopes(): ClosedScopes {
  const engine = tf.engine() as unknown as EngineInternals;
  const before = tf.memory().numTensors;
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
  return { scopes, tensors: before - tf.memory().numTensors, halfDisposed };
}

// Inside the kernel, listen from the moment dlkit is imported, so that even a
// reader's own interrupted `tf.tidy` loop is cleaned up.
installWhereHosted();
