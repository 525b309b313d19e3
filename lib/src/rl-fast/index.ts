/** The DQN accelerator (chapter 9): opt-in fast paths for `DqnAgent` with the same results, outside `rl/`. */
export * from './accelerate-dqn';
export * from './plain-dense-network';
