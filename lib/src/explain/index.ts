export * from './linear';
export * from './permutation';
export * from './gradients';
export * from './sanity';
