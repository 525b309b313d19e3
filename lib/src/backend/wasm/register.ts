/**
 * Training kernels the wasm backend lacks (chapter 0). Filled in kernel by kernel;
 * see the folder's README.
 */
let registered = false;

/** Registers the book's extra wasm kernels once; later calls do nothing. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
}
