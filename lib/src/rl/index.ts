/** Reinforcement learning (chapter 9): gym-js, the DQN agent, replay buffer, evaluation, loop; chapter 2's grid. */
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
