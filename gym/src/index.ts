/**
 * gym-js (chapter 9): Gymnasium's environment API in TypeScript without runtime dependencies: spaces, `Env`, CartPole,
 * wrappers, `make`, the checker, rollouts and CartPole's drawing.
 */
export { Random } from './random';
export * from './html';
export * from './spaces';
export * from './env';
export * from './wrappers';
export * from './cartpole';
export * from './cartpole-render';
export * from './registry';
export * from './checker';
export * from './rollout';
