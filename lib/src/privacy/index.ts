/**
 * Privacy (chapter 12): DP-SGD from scratch, its privacy accounting, and a
 * membership-inference attack that measures what a model leaks.
 */
export * from './dp-sgd';
export * from './accounting';
export * from './membership';
