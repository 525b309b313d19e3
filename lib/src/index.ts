/** dlkit: the library behind the book. Every chapter imports from here. */
export * from './backend/tf';
export * from './backend/select';
export * from './backend/environment';
export { applyNativeCpuSettings, cpuHasAvx512, type NativeCpuSettings } from './backend/native/cpu-settings';
export { applyNativeThreadSettings, chooseIntraOpThreads, type NativeThreadSettings, type ThreadWorkload } from './backend/native/threads';
export {
  installInterruptHandler, interruptCount, watchInterrupts, type InterruptWatch,
  engineRepairRefusal, closeInterruptedScopes, type ClosedScopes,
  keepLatest, type DisposableValue, newDisplayId, showHtml,
} from './notebook/index';
export { fusedBatchNormTraining, setFusedBatchNorm } from './backend/native/batch-norm';
export * from './util/random';
export * from './util/quick';
export * from './util/timing';
export * from './util/numbers';
export * from './util/results';
export * from './plot/index';
export * from './data/index';
export * from './text/index';
export * from './train/index';
// The from-scratch math of chapters 3-4 as one namespace, apart from TensorFlow.js' `tf.softmax` and `tf.train.adam`.
export * as scratch from './scratch/index';
export * from './models/index';
export * from './scale/index';
export * from './rl/index';
export * from './rl-fast/index';
export * from './recsys/index';
export * from './tabular/index';
export * from './evaluate/index';
export * from './explain/index';
export * from './privacy/index';
export * from './forecast/index';
export * from './pretrain/index';
export * from './measure/index';
