/** What the agent does to CartPole's observations before its network reads them (chapter 9). */

/**
 * CartPole's observation scale `1 / [2.4, 3, 0.2095, 3]` (position, velocity, angle, angular velocity): one over
 * each feature's typical range, so the angle (never above 0.21 rad) is not drowned by the position.
 */
export const CART_POLE_OBSERVATION_SCALE: readonly number[] = Object.freeze([1 / 2.4, 1 / 3, 1 / 0.2095, 1 / 3]);
