/**
 * What the agent does to CartPole's observations before its network reads them (chapter 9): the
 * environment reports raw physics, the agent chooses how to scale it.
 */

/**
 * CartPole's observation scale (chapter 9): one over the typical range of each
 * feature, `1 / [2.4, 3, 0.2095, 3]` (cart position, cart velocity, pole
 * angle, angular velocity), so that the pole angle, which never exceeds
 * 0.21 rad, is not drowned by the position. The Q-network multiplies the
 * observations by it (`observationScale`).
 */
export const CART_POLE_OBSERVATION_SCALE: readonly number[] = Object.freeze([1 / 2.4, 1 / 3, 1 / 0.2095, 1 / 3]);
