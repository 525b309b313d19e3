/**
 * CartPole (chapter 9) with Gymnasium's dynamics step for step (gymnasium/envs/classic_control/cartpole.py; Barto,
 * Sutton and Anderson 1983): terminates when the pole leans past 12 degrees or the cart leaves the track (|x| > 2.4).
 */
import { describeTyped, describeValue } from './describe';
import { Env, checkResetArguments, type ResetArguments, type ResetResult, type StepResult } from './env';
import { Box, Discrete, FLOAT32_MAX } from './spaces';
import { cartPoleFrameSvg } from './cartpole-render';

/** How CartPole advances its state by one time step. */
export type KinematicsIntegrator = 'euler' | 'semi-implicit euler';

/** Options of `new CartPoleEnv(...)` and `make('CartPole-v1', ...)`. */
export interface CartPoleOptions {
  /** Sutton and Barto's reward: 0 per step, -1 on (and after) termination. Default false: +1 per step. */
  suttonBartoReward?: boolean;
  /** `'euler'` (Gymnasium's default) or `'semi-implicit euler'`. */
  kinematicsIntegrator?: KinematicsIntegrator;
}

/** The four numbers of CartPole's state: cart position and velocity, pole angle and angular velocity. */
export const CART_POLE_STATE_NAMES = ['cart position', 'cart velocity', 'pole angle', 'pole angular velocity'] as const;

/**
 * The cart-pole environment: action 0 pushes left, 1 right; observations `[x, xDot, theta, thetaDot]` as float32
 * copies of the float64 `state`; reward +1 per step, the terminating one included.
 */
export class CartPoleEnv extends Env<Float32Array, number> {
  readonly gravity = 9.8;
  readonly massCart = 1.0;
  readonly massPole = 0.1;
  readonly totalMass = this.massPole + this.massCart;
  /** Half the pole's length, as in Gymnasium. */
  readonly length = 0.5;
  readonly poleMassLength = this.massPole * this.length;
  readonly forceMagnitude = 10.0;
  /** Seconds between state updates. */
  readonly tau = 0.02;
  readonly kinematicsIntegrator: KinematicsIntegrator;
  readonly suttonBartoReward: boolean;
  /** The episode terminates when |theta| exceeds 12 degrees. */
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  /** The episode terminates when |x| exceeds 2.4. */
  readonly xThreshold = 2.4;

  readonly actionSpace = new Discrete(2);
  readonly observationSpace: Box;

  private stateValue: Float64Array | null = null;
  /** null while the pole is up; then 0, 1, ... for the steps taken after termination (Gymnasium's `steps_beyond_terminated`). */
  stepsBeyondTerminated: number | null = null;

  constructor(options: CartPoleOptions = {}) {
    super();
    const known = ['suttonBartoReward', 'kinematicsIntegrator'];
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new Error(`CartPoleEnv: unknown option "${key}". Known options: ${known.join(', ')}.`);
      }
    }
    const integrator = options.kinematicsIntegrator ?? 'euler';
    if (integrator !== 'euler' && integrator !== 'semi-implicit euler') {
      throw new Error(`CartPoleEnv: kinematicsIntegrator must be 'euler' or 'semi-implicit euler', got '${String(integrator)}'.`);
    }
    this.kinematicsIntegrator = integrator;
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    const high = [this.xThreshold * 2, FLOAT32_MAX, this.thetaThresholdRadians * 2, FLOAT32_MAX];
    this.observationSpace = new Box(
      high.map((v) => -v),
      high,
    );
    this.metadata = { renderFps: 50 };
  }

  /** The float64 state `[x, xDot, theta, thetaDot]` (a copy), null before the first `reset`; assign four numbers to start anywhere. */
  get state(): Float64Array | null {
    return this.stateValue === null ? null : Float64Array.from(this.stateValue);
  }

  set state(value: ArrayLike<number> | null) {
    if (value === null) {
      this.stateValue = null;
      return;
    }
    if (value.length !== 4 || !Array.from(value).every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(
        `CartPoleEnv.state: expected four finite numbers [x, xDot, theta, thetaDot], got ${describeValue(Array.from(value))}.`,
      );
    }
    this.stateValue = Float64Array.from(value);
  }

  /** Starts an episode: each component uniform in (-0.05, 0.05), or in `(options.low, options.high)`. */
  reset(args?: ResetArguments): ResetResult<Float32Array> {
    const { seed, options = {} } = checkResetArguments(args, 'CartPoleEnv.reset');
    this.seedGenerator(seed);
    const low = 'low' in options ? options['low'] : -0.05;
    const high = 'high' in options ? options['high'] : 0.05;
    if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new Error(`CartPoleEnv.reset: options.low and options.high must be finite numbers, got ${String(low)} and ${String(high)}.`);
    }
    if (low > high) {
      throw new Error(`CartPoleEnv.reset: the lower bound (${low}) must not exceed the upper bound (${high}).`);
    }
    const random = this.random;
    const state = new Float64Array(4);
    for (let i = 0; i < 4; i++) state[i] = random.uniform(low, high);
    this.stateValue = state;
    this.stepsBeyondTerminated = null;
    return [Float32Array.from(state), {}];
  }

  /** Pushes the cart left (0) or right (1) for `tau` seconds. */
  step(action: number): StepResult<Float32Array> {
    if (typeof action !== 'number') {
      throw new Error(
        `CartPoleEnv.step: the action must be a number, 0 (push left) or 1 (push right), got ${describeTyped(action)}.`,
      );
    }
    if (!Number.isInteger(action)) {
      throw new Error(
        `CartPoleEnv.step: the action must be an integer, 0 (push left) or 1 (push right), got ${action}. ` +
          'Round or argmax your policy output first.',
      );
    }
    if (!this.actionSpace.contains(action)) {
      throw new Error(
        `CartPoleEnv.step: action ${action} is outside the action space ${this.actionSpace.toString()}; ` +
          'use 0 (push left) or 1 (push right).',
      );
    }
    const current = this.stateValue;
    if (current === null) {
      throw new Error('CartPoleEnv.step: call reset() before step(); the environment has no state yet.');
    }
    let x = current[0] as number;
    let xDot = current[1] as number;
    let theta = current[2] as number;
    let thetaDot = current[3] as number;
    const force = action === 1 ? this.forceMagnitude : -this.forceMagnitude;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    // See https://coneural.org/florian/papers/05_cart_pole.pdf for the derivation.
    const temp = (force + this.poleMassLength * thetaDot ** 2 * sinTheta) / this.totalMass;
    const thetaAcceleration =
      (this.gravity * sinTheta - cosTheta * temp) /
      (this.length * (4.0 / 3.0 - (this.massPole * cosTheta ** 2) / this.totalMass));
    const xAcceleration = temp - (this.poleMassLength * thetaAcceleration * cosTheta) / this.totalMass;
    if (this.kinematicsIntegrator === 'euler') {
      x = x + this.tau * xDot;
      xDot = xDot + this.tau * xAcceleration;
      theta = theta + this.tau * thetaDot;
      thetaDot = thetaDot + this.tau * thetaAcceleration;
    } else {
      xDot = xDot + this.tau * xAcceleration;
      x = x + this.tau * xDot;
      thetaDot = thetaDot + this.tau * thetaAcceleration;
      theta = theta + this.tau * thetaDot;
    }
    const next = Float64Array.of(x, xDot, theta, thetaDot);
    this.stateValue = next;
    const terminated =
      x < -this.xThreshold || x > this.xThreshold || theta < -this.thetaThresholdRadians || theta > this.thetaThresholdRadians;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      // The pole just fell (or the cart left the track).
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      if (this.stepsBeyondTerminated === 0) {
        console.warn(
          "CartPoleEnv: you are calling step() even though this environment has already returned terminated = true. " +
            "Call reset() once you receive terminated = true; further steps are undefined behaviour (reward 0).",
        );
      }
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    return [Float32Array.from(next), reward, terminated, false, {}];
  }

  /** One frame of the current state as an SVG string (600 x 400, Gymnasium's layout). */
  override render(): string {
    if (this.stateValue === null) {
      throw new Error('CartPoleEnv.render: call reset() first; there is no state to draw.');
    }
    return cartPoleFrameSvg(this.stateValue, { xThreshold: this.xThreshold, halfPoleLength: this.length });
  }

  override get unwrapped(): CartPoleEnv {
    return this;
  }
}
