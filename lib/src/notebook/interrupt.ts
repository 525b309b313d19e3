/**
 * The stop button (chapter 5). Jupyter's "interrupt kernel" sends SIGINT to
 * the kernel. Once `initBackend()` has started listening, every long loop in
 * dlkit (training, DQN, evaluations, throughput measurements) asks at each
 * batch or step whether an interrupt arrived since it started, and if so stops
 * there, keeping the work of the steps it completed.
 *
 * Which interrupts count: a loop counts the interrupts that arrive after it
 * started, so an old interrupt never stops the next cell's training. Inside
 * the tslab kernel an interrupt also stops loops that start later in the same
 * (interrupted) cell, e.g. the next run of a loop over configurations. After an
 * interrupt the listener repairs TensorFlow.js (`closeInterruptedScopes`).
 */
import { closeInterruptedScopes, engineRepairRefusal } from './engine-repair';

interface InterruptState {
  /** Interrupts received so far. */
  count: number;
  /** The cell (see `currentCell`) that the last interrupt arrived in. */
  interruptedCell: unknown;
  installed: boolean;
  /** Whether the engine repair's refusal (another tfjs version) was already printed. */
  refusalShown?: boolean;
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
  const refusal = engineRepairRefusal();
  if (refusal !== null) {
    if (!state.refusalShown) console.error(`dlkit: ${refusal}`);
    state.refusalShown = true;
    return;
  }
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
 * Listens for interrupts (SIGINT) from now on (chapter 5). Idempotent. Inside a
 * notebook kernel `initBackend()` calls it (see `listenForInterruptsInKernel`); a
 * script calls it to let Ctrl-C stop dlkit's loops instead of the process (the
 * listener replaces Node's default exit on SIGINT).
 */
export function installInterruptHandler(): void {
  if (state.installed) return;
  state.installed = true;
  if ('__tslab__' in globalThis) {
    // A kernel cell's synchronous code runs with Node's `breakOnSigint`, which takes the SIGINT
    // listeners away for the run and gives them back after it. A listener added during the run (the
    // cell calls `initBackend()`) is then already there when they come back, so Node never gives
    // SIGINT back to its listeners: it stays with Node's exit handler, and the next interrupt outside
    // a cell's synchronous part (during `await initBackend()`, between cells) would end the kernel.
    // Listening once the run is over keeps SIGINT with the listeners.
    process.nextTick(() => process.on('SIGINT', onInterrupt));
  } else {
    process.on('SIGINT', onInterrupt);
  }
}

/**
 * Starts listening for the stop button where someone already handles SIGINT
 * (the tslab kernel does); in a plain script Ctrl-C keeps ending the process
 * (chapter 5). `initBackend()`, the first call of every chapter, and
 * `watchInterrupts()` call it; importing dlkit listens for nothing.
 */
export function listenForInterruptsInKernel(): void {
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
    listenForInterruptsInKernel();
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
