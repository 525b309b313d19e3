/** Privacy (chapter 12): DP-SGD from scratch, its privacy accounting, and membership inference. */
export * from './dp-sgd';
export * from './accounting';
export * from './membership';
