/** What the agent does to CartPole's observations before its network reads them (chapter 9). */

/** One over each feature's range (position, velocity, angle, angular velocity): the angle (±0.21) is not drowned. */
export const CART_POLE_OBSERVATION_SCALE: readonly number[] = Object.freeze([1 / 2.4, 1 / 3, 1 / 0.2095, 1 / 3]);
