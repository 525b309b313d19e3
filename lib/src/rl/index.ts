/**
 * Reinforcement learning (chapter 9): the Gymnasium-style environments of
 * gym-js, re-exported so that notebooks keep one import, and the DQN agent
 * with its replay buffer, evaluation and training loop; also chapter 2's grid
 * world, where value iteration first meets values and policies.
 */
export * from 'gym-js';
export * from './show-episode';
export * from './replay-buffer';
export * from './schedules';
export * from './q-network';
export * from './observation-scale';
export * from './evaluation';
export * from './dqn';
export * from './train-dqn';
export * from './grid-world';
