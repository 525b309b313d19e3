/**
 * Reinforcement learning (chapter 9): a Gymnasium-style environment API with
 * CartPole, wrappers, a registry and a checker, and a DQN agent with its
 * replay buffer and training loop.
 */
export * from './spaces';
export * from './env';
export * from './wrappers';
export * from './cartpole';
export * from './registry';
export * from './checker';
export * from './render';
export * from './rollout';
export * from './replay-buffer';
export * from './schedules';
export * from './q-network';
export * from './dqn';
export * from './train-dqn';
