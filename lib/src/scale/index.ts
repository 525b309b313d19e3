/** The arithmetic of scale (chapters 2 and 12): parameter counts, memory, compute and time, power laws; plain numbers. */
export * from './size-and-compute';
export * from './power-law';
