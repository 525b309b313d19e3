/**
 * gym-js (chapter 9): Gymnasium's environment API in TypeScript, with no
 * runtime dependencies. Spaces, the `Env` base class, CartPole with
 * Gymnasium's dynamics, the standard wrappers, a registry with `make`, an
 * environment checker, rollouts and an SVG drawing of CartPole.
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
