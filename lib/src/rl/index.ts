/**
 * Reinforcement learning (chapter 9): the Gymnasium-style environments of
 * gym-js (spaces, `Env`, CartPole, wrappers, the registry, the checker,
 * rollouts and the CartPole drawing), re-exported so that notebooks keep one
 * import, and the DQN agent with its replay buffer and training loop; also
 * chapter 2's grid world, where value iteration first meets values and policies.
 */
export * from 'gym-js';
export * from './show-episode';
export * from './replay-buffer';
export * from './schedules';
export * from './q-network';
export * from './plain-dense-network';
export * from './flat-adam';
export * from './observation-scale';
export * from './dqn';
export * from './train-dqn';
export * from './grid-world';
