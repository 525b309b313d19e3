/**
 * The stop button (chapter 5): Jupyter's interrupt sends SIGINT; once `initBackend()` listens, dlkit's long loops
 * stop at the next step and keep the work done. A loop counts only interrupts after it started; in tslab, loops
 * started later in an interrupted cell stop too. After an interrupt the listener repairs TensorFlow.js.
 */
import { closeInterruptedScopes, engineRepairRefusal, journalEngineBookkeeping } from './engine-repair';

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

/** The running tslab cell, null elsewhere: tslab installs a new `process.stdout.write` for every cell. */
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
  // At the start of a macrotask no `tf.tidy` runs, so a scope still open was left by code an interrupt broke.
  setImmediate(() => {
    try {
      const closed = closeInterruptedScopes();
      const done = [
        closed.scopes > 0 ? `closed ${closed.scopes} TensorFlow.js scope(s) it left open, freeing ${closed.tensors} tensor(s)` : '',
        closed.halfDisposed > 0 ? `finished ${closed.halfDisposed} tensor dispose(s) it had stopped halfway` : '',
        closed.halfCreated > 0 ? `freed ${closed.halfCreated} tensor(s) it had stopped halfway through making` : '',
      ].filter((part) => part !== '');
      if (done.length > 0) console.log(`dlkit: after the interrupt, ${done.join('; ')}.`);
    } catch (error) {
      // Never throw from here: an uncaught exception ends the kernel (the wasm backend rethrows it).
      console.error(`dlkit: could not clean up TensorFlow.js after the interrupt: ${(error as Error).message}. Restart the kernel if tf.memory() keeps growing.`);
    }
  });
}

/** Listens for SIGINT from now on (idempotent), replacing Node's exit; a script calls it to let Ctrl-C stop dlkit's loops. */
export function installInterruptHandler(): void {
  if (state.installed) return;
  state.installed = true;
  // From now on tfjs notes each tensor's dispose and counting-in, which an interrupt can stop halfway.
  journalEngineBookkeeping();
  if ('__tslab__' in globalThis) {
    // A cell's synchronous code runs with Node's `breakOnSigint`, which takes the SIGINT listeners away and gives them
    // back after; a listener added during the run would leave SIGINT with Node's exit handler and a later interrupt
    // would end the kernel. Listening once the run is over avoids that.
    process.nextTick(() => process.on('SIGINT', onInterrupt));
  } else {
    process.on('SIGINT', onInterrupt);
  }
}

/** Listens for the stop button where SIGINT is handled already (tslab); `initBackend()` and `watchInterrupts()` call it. */
export function listenForInterruptsInKernel(): void {
  if (!state.installed && ('__tslab__' in globalThis || process.listenerCount('SIGINT') > 0)) installInterruptHandler();
}

/** Interrupts received since dlkit started listening. */
export function interruptCount(): number {
  return state.count;
}

/** Says whether a loop should stop because of an interrupt; from `watchInterrupts()`. */
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

  /** Call at each step of an asynchronous loop: yields every `yieldEveryMs` (a signal arrives only then); true to stop. */
  async shouldStop(): Promise<boolean> {
    if (performance.now() - this.lastYield >= this.yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    return this.requested;
  }
}

/** Starts watching for interrupts for one loop: `if (await interrupts.shouldStop()) break;` at each step. */
export function watchInterrupts(): InterruptWatch {
  return new InterruptWatch();
}
