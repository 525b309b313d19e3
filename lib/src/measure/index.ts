/**
 * Measuring the book rather than teaching it (chapters 0, 5, 9 and 12): where the
 * time goes per kernel, training throughput of the chapters' models, and the
 * speed of the DQN, chapter 12's scaling experiment. `npm run bench` and the speed tests call these; nothing
 * else in dlkit imports them.
 */
export * from './profile';
export * from './training-throughput';
export * from './dqn-throughput';
export * from './matmul-throughput';
export * from './mini-bert-throughput';
export * from './gpt-throughput';
export * from './mnist-scaling';
