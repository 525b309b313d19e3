/** Measuring the book rather than teaching it (chapters 0, 5, 6, 9, 12, 13): kernel profiles and throughput, for `npm run bench`. */
export * from './profile';
export * from './training-throughput';
export * from './dqn-throughput';
export * from './matmul-throughput';
export * from './mini-bert-throughput';
export * from './gpt-throughput';
export * from './mnist-scaling';
