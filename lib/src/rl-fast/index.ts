/**
 * The DQN accelerator (chapter 9): opt-in fast paths for `DqnAgent` with the
 * same results, kept out of `rl/` so that the agent there reads as plain
 * TensorFlow.js.
 */
export * from './accelerate-dqn';
export * from './flat-adam';
export * from './plain-dense-network';
