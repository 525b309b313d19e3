/**
 * The arithmetic of scale (chapter 2): parameter counts from an architecture's
 * configuration, the memory they need, and training compute and time.
 */
export * from './size-and-compute';
export * from './power-law';
