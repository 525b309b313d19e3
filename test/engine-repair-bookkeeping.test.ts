// The engine repair after an interrupt that stops tfjs' bookkeeping of one tensor between two statements: a
// real SIGINT stops code run as tslab runs a cell (vm, breakOnSigint) at each such point of tfjs 4.22's
// disposeTensor and trackTensor, then closeInterruptedScopes must leave tf.memory() as it was before the
// tf.tidy, each tensor counted once, and its data gone from the backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { tf, initBackend, closeInterruptedScopes, installInterruptHandler, type ClosedScopes, type Tensor } from 'dlkit';

interface Counts {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
}

interface Internals {
  state: Counts & { tensorInfo: WeakMap<object, unknown>; scopeStack: unknown[] };
  removeDataId(dataId: object, backend: unknown): void;
  track(tensor: unknown): unknown;
}

interface BackendData {
  has(dataId: object): boolean;
  get(dataId: object): { id?: number } | undefined;
}

/** The native rung's TensorFlow handles of the tensors a test made, which the repair must delete. */
const nativeHandles: number[] = [];
function noteHandles(tensors: Tensor[]): void {
  if (nativeBinding() === undefined) return;
  for (const tensor of tensors) nativeHandles.push(backendData().get(tensor.dataId)?.id as number);
}

const engine = (): Internals => tf.engine() as unknown as Internals;
const counts = (): Counts => {
  const { numTensors, numBytes, numDataBuffers } = tf.memory() as Counts;
  return { numTensors, numBytes, numDataBuffers };
};
/** The backend's own map of data (the native rung's tensorMap, the cpu backend's data, the wasm backend's dataIdMap). */
const backendData = (): BackendData => {
  const backend = tf.backend() as unknown as { tensorMap?: BackendData; data?: BackendData; dataIdMap?: BackendData };
  return (backend.tensorMap ?? backend.data ?? backend.dataIdMap) as BackendData;
};
const nativeBinding = (): { deleteTensor(id: number): void } | undefined =>
  (tf.backend() as unknown as { binding?: { deleteTensor(id: number): void } }).binding;

/** Sends SIGINT to this process and waits for it to stop the JavaScript running, as Jupyter's stop button does. */
function interruptHere(): never {
  process.kill(process.pid, 'SIGINT');
  const end = Date.now() + 10_000;
  while (Date.now() < end);
  throw new Error('the SIGINT did not stop the code within 10 s');
}

/** Replaces `owner[name]` (a method or property getter) until `restore()`: it interrupts at the first call once armed. */
interface Trap {
  arm(): void;
  restore(): void;
  fired(): boolean;
  /** The arguments of the call it interrupted. */
  args?: unknown[];
}

/** Interrupts at the first call of the method once armed (and once `ready()` holds), before or after the real call. */
function trapMethod(owner: object, name: string, when: 'before' | 'after', ready: () => boolean = () => true): Trap {
  const target = owner as Record<string, (...args: unknown[]) => unknown>;
  const own = Object.prototype.hasOwnProperty.call(owner, name);
  const original = target[name] as (...args: unknown[]) => unknown;
  let armed = false;
  let fired = false;
  target[name] = function (this: unknown, ...args: unknown[]): unknown {
    const trip = armed && !fired && ready();
    if (trip) trap.args = args;
    if (trip && when === 'before') {
      fired = true;
      interruptHere();
    }
    const result = original.apply(this, args);
    if (trip) {
      fired = true;
      interruptHere();
    }
    return result;
  };
  const trap: Trap = {
    arm: () => { armed = true; },
    fired: () => fired,
    restore: () => {
      if (own) target[name] = original;
      else delete target[name];
    },
  };
  return trap;
}

/** Interrupts at the native rung's first deleteTensor once armed (its binding's methods are read-only: a stand-in binding). */
function trapDeleteTensor(when: 'before' | 'after'): Trap {
  const backend = tf.backend() as unknown as { binding: { deleteTensor(id: number): void } };
  const binding = backend.binding;
  const standIn = Object.create(binding) as object;
  Object.defineProperty(standIn, 'deleteTensor', { value: binding.deleteTensor.bind(binding), writable: true, configurable: true });
  backend.binding = standIn as typeof binding;
  const trap = trapMethod(standIn, 'deleteTensor', when);
  const restore = trap.restore;
  trap.restore = () => {
    restore();
    backend.binding = binding;
  };
  return trap;
}

/** Interrupts at the first read of `tensor.dtype` once armed: in tfjs' disposeTensor, right after `numTensors--`. */
function trapDtypeRead(tensor: Tensor): Trap {
  const dtype = tensor.dtype;
  let armed = false;
  let fired = false;
  Object.defineProperty(tensor, 'dtype', {
    configurable: true,
    get: () => {
      if (!armed || fired) return dtype;
      fired = true;
      return interruptHere();
    },
  });
  return {
    arm: () => { armed = true; },
    fired: () => fired,
    restore: () => Object.defineProperty(tensor, 'dtype', { value: dtype, writable: true, enumerable: true, configurable: true }),
  };
}

/** Runs `body` the way tslab runs a cell and returns whether an interrupt stopped it. */
function runAsCell(body: () => void): boolean {
  (globalThis as Record<string, unknown>)['__engineRepairBody'] = body;
  try {
    vm.runInThisContext('globalThis.__engineRepairBody()', { breakOnSigint: true });
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return true;
    throw error;
  } finally {
    delete (globalThis as Record<string, unknown>)['__engineRepairBody'];
  }
}

interface Stop {
  name: string;
  native?: boolean;
  /** The trap, made once the tf.tidy's tensors exist (`made`: the tensor the tidy will dispose first). */
  trap(made: Tensor): Trap;
}

// Where an interrupt can stop tfjs' disposeTensor(a) (and the backend's disposeData, which it calls).
const disposeStops: Stop[] = [
  { name: 'before anything', trap: () => trapMethod(engine().state.tensorInfo, 'has', 'before') },
  { name: 'after numTensors--', trap: (made) => trapDtypeRead(made) },
  { name: 'after numBytes -= (backend untouched)', trap: () => trapMethod(tf.backend(), 'disposeData', 'before') },
  {
    name: 'after the backend dropped its reference, before it deleted the handle',
    native: true,
    trap: () => trapDeleteTensor('before'),
  },
  {
    name: 'after the backend deleted the handle, before it forgot it',
    native: true,
    trap: () => trapDeleteTensor('after'),
  },
  { name: 'after the backend freed the data, before removeDataId', trap: () => trapMethod(engine(), 'removeDataId', 'before') },
  { name: 'after the data record was deleted, before numDataBuffers--', trap: () => trapMethod(engine().state.tensorInfo, 'delete', 'after') },
];

async function ready(): Promise<void> {
  await initBackend({ quiet: true });
  // It makes tfjs note what each dispose and counting-in is about to do; initBackend starts it in a kernel.
  installInterruptHandler();
}

/** Checks the repair's result: memory as before the tidy, nothing left in the backend, tf working. */
function assertRepaired(before: Counts, closed: ClosedScopes, dataIds: object[], label: string): void {
  const handles = nativeHandles.splice(0);
  assert.deepEqual(counts(), before, `${label}: tf.memory() after the repair (${JSON.stringify(closed)})`);
  assert.equal(engine().state.scopeStack.length, 0, `${label}: a scope was left open`);
  for (const dataId of dataIds) assert.equal(backendData().has(dataId), false, `${label}: the backend kept a tensor's data`);
  // On the native rung, TensorFlow's own handles are deleted too (deleting one again fails).
  for (const id of handles) assert.throws(() => nativeBinding()?.deleteTensor(id), /not referenced/, `${label}: TensorFlow kept handle ${id}`);
  assert.deepEqual(Array.from(tf.tidy(() => tf.add(tf.ones([2]), 1).dataSync())), [2, 2], `${label}: tf works`);
  assert.deepEqual(counts(), before, `${label}: tf.memory() after a tf.tidy`);
}

for (const stop of disposeStops) {
  test(`an interrupt in a tensor's dispose ${stop.name}: the repair counts it out once and frees everything`, async (t) => {
    await ready();
    if (stop.native && nativeBinding() === undefined) {
      t.skip(`a native-rung step; the backend here is ${tf.getBackend()}`);
      return;
    }
    const kept = tf.ones([3, 5]);
    const before = counts();
    const dataIds: object[] = [];
    let trap: Trap | undefined;
    const interrupted = runAsCell(() => {
      // A tf.tidy whose clean-up (it disposes its tensors in order) is stopped in the first dispose.
      tf.tidy(() => {
        const made = [tf.add(kept, kept), tf.mul(kept, kept), tf.square(kept)];
        dataIds.push(...made.map((tensor) => tensor.dataId));
        noteHandles(made);
        trap = stop.trap(made[0] as Tensor);
        trap.arm();
      });
    });
    trap?.restore();
    assert.equal(trap?.fired(), true, 'the interrupt came at the chosen point');
    assert.equal(interrupted, true, 'the SIGINT stopped the code');
    const closed = closeInterruptedScopes();
    assert.equal(closed.scopes, 1);
    assertRepaired(before, closed, dataIds, stop.name);
    kept.dispose();
  });
}

// Where an interrupt can stop tfjs' trackTensor(a), which counts in a kernel's new output.
const trackStops: { name: string; trap(counted: () => boolean): Trap }[] = [
  { name: 'after numTensors++ and numBytes +=', trap: (counted) => trapMethod(engine().state.tensorInfo, 'has', 'before', counted) },
  { name: 'after numDataBuffers++, before the data record', trap: (counted) => trapMethod(engine().state.tensorInfo, 'set', 'before', counted) },
  { name: 'after the data record, before the tensor joins its scope', trap: (counted) => trapMethod(engine(), 'track', 'before', counted) },
];

for (const stop of trackStops) {
  test(`an interrupt while tfjs counts in a new tensor ${stop.name}: the repair frees it`, async () => {
    await ready();
    const kept = tf.ones([3, 5]);
    const before = counts();
    const dataIds: object[] = [];
    let trap: Trap | undefined;
    let newest: Tensor | undefined;
    const interrupted = runAsCell(() => {
      tf.tidy(() => {
        const made = tf.add(kept, kept);
        dataIds.push(made.dataId);
        noteHandles([made]);
        const countBefore = engine().state.numTensors;
        // Stopped while tfjs counts in tf.mul's output, which the tidy's code then never gets.
        trap = stop.trap(() => engine().state.numTensors > countBefore);
        trap.arm();
        newest = tf.mul(kept, kept);
      });
    });
    trap?.restore();
    assert.equal(trap?.fired(), true, 'the interrupt came at the chosen point');
    assert.equal(interrupted, true, 'the SIGINT stopped the code');
    assert.equal(newest, undefined, 'the interrupted op returned nothing');
    // The new tensor's data, which only the interrupted call saw.
    const [arg] = trap?.args ?? [];
    const orphan = (arg as { dataId?: object }).dataId ?? (arg as object);
    dataIds.push(orphan);
    if (nativeBinding() !== undefined) nativeHandles.push(backendData().get(orphan)?.id as number);
    const closed = closeInterruptedScopes();
    assertRepaired(before, closed, dataIds, stop.name);
    assert.equal(closed.halfCreated, 1, `the half-counted tensor was found (${JSON.stringify(closed)})`);
    kept.dispose();
  });
}

test('an interrupt while tfjs counts in a new variable: the repair finishes it, and disposing it frees everything', async () => {
  await ready();
  const initial = tf.ones([4]);
  const before = counts();
  const variables = Object.keys(tf.engine().registeredVariables).length;
  let trap: Trap | undefined;
  const interrupted = runAsCell(() => {
    const countBefore = engine().state.numTensors;
    trap = trapMethod(engine().state.tensorInfo, 'has', 'before', () => engine().state.numTensors > countBefore);
    trap.arm();
    tf.variable(initial, true, 'engineRepairVariable');
  });
  trap?.restore();
  assert.equal(trap?.fired(), true, 'the interrupt came at the chosen point');
  assert.equal(interrupted, true, 'the SIGINT stopped the code');
  const closed = closeInterruptedScopes();
  // tfjs registered the variable before counting it in; it holds the initial value's data, counted once more.
  const variable = tf.engine().registeredVariables['engineRepairVariable'] as unknown as Tensor;
  assert.equal(Object.keys(tf.engine().registeredVariables).length, variables + 1);
  assert.deepEqual(counts(), { ...before, numTensors: before.numTensors + 1, numBytes: before.numBytes + 16 });
  assert.deepEqual(Array.from(variable.dataSync()), [1, 1, 1, 1]);
  initial.dispose();
  assert.deepEqual(Array.from(variable.dataSync()), [1, 1, 1, 1], 'the variable still reads its data after the initial value went');
  const dataId = variable.dataId;
  variable.dispose();
  assert.deepEqual(counts(), { ...before, numTensors: before.numTensors - 1, numBytes: before.numBytes - 16, numDataBuffers: before.numDataBuffers - 1 });
  assert.equal(backendData().has(dataId), false, 'the data was freed with its last tensor');
  assert.equal(closed.halfCreated, 1, JSON.stringify(closed));
});

test("an interrupt in an op's endScope after its scope was closed, before its result joined the parent's: the repair frees the result", async () => {
  await ready();
  const kept = tf.ones([3, 5]);
  const before = counts();
  const dataIds: object[] = [];
  let trap: Trap | undefined;
  let result: Tensor | undefined;
  const interrupted = runAsCell(() => {
    tf.tidy(() => {
      dataIds.push(tf.square(kept).dataId);
      // tf.add runs in its own scope, inside the tidy's; closing it hands the result to the tidy's scope.
      const depth = engine().state.scopeStack.length;
      trap = trapMethod(engine(), 'track', 'before', () => engine().state.scopeStack.length === depth);
      trap.arm();
      result = tf.add(kept, kept);
    });
  });
  trap?.restore();
  assert.equal(trap?.fired(), true, 'the interrupt came at the chosen point');
  assert.equal(interrupted, true, 'the SIGINT stopped the code');
  assert.equal(result, undefined, 'the interrupted op returned nothing');
  const [orphan] = (trap?.args ?? []) as Tensor[];
  dataIds.push((orphan as Tensor).dataId);
  if (nativeBinding() !== undefined) noteHandles([orphan as Tensor]);
  const closed = closeInterruptedScopes();
  assertRepaired(before, closed, dataIds, 'endScope');
  kept.dispose();
});
