/** Drawing CartPole (chapter 9): a frame as SVG, an episode as a self-contained animated SVG (SMIL, no script, no network). */
import { escapeHtml } from './html';

/** Geometry of a CartPole drawing; the defaults are Gymnasium's 600 x 400 screen. */
export interface CartPoleDrawingOptions {
  /** Half the visible track width in metres (the termination threshold, 2.4). */
  xThreshold?: number;
  /** Half the pole's length in metres (0.5). */
  halfPoleLength?: number;
  /** Width of the drawing in pixels (600). */
  width?: number;
  /** Height of the drawing in pixels (400). */
  height?: number;
}

interface Geometry {
  width: number;
  height: number;
  scale: number;
  poleLength: number;
  axleY: number;
  trackY: number;
}

const POLE_WIDTH = 10;
const CART_WIDTH = 50;
const CART_HEIGHT = 30;

function geometry(options: CartPoleDrawingOptions): Geometry {
  const width = options.width ?? 600;
  const height = options.height ?? 400;
  const xThreshold = options.xThreshold ?? 2.4;
  const scale = width / (xThreshold * 2);
  const poleLength = scale * 2 * (options.halfPoleLength ?? 0.5);
  // Gymnasium: cart centre 100 px above the bottom, axle a quarter cart height above it.
  const trackY = height - 100;
  return { width, height, scale, poleLength, axleY: trackY - CART_HEIGHT / 4, trackY };
}

const round = (value: number) => Math.round(value * 100) / 100;

function cartX(g: Geometry, x: number): number {
  return round(x * g.scale + g.width / 2);
}

function poleDegrees(theta: number): number {
  return round((theta * 180) / Math.PI);
}

/** The cart and pole drawn around the axle at (0, 0); `extraCart` and `extraPole` are inserted SMIL elements. */
function bodySvg(g: Geometry, extraCart = '', extraPole = ''): string {
  const pole =
    `<g>${extraPole}<rect x="${-POLE_WIDTH / 2}" y="${round(-(g.poleLength - POLE_WIDTH / 2))}" ` +
    `width="${POLE_WIDTH}" height="${round(g.poleLength)}" fill="rgb(202,152,101)"/></g>`;
  const cart = `<rect x="${-CART_WIDTH / 2}" y="${-CART_HEIGHT / 4}" width="${CART_WIDTH}" height="${CART_HEIGHT}" fill="#000"/>`;
  const axle = `<circle cx="0" cy="0" r="${POLE_WIDTH / 2}" fill="rgb(129,132,203)"/>`;
  return `${extraCart}${cart}${pole}${axle}`;
}

function frameOpen(g: Geometry): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${g.height}" viewBox="0 0 ${g.width} ${g.height}" ` +
    `style="background:#fff;border:1px solid #ddd">` +
    `<line x1="0" y1="${g.trackY}" x2="${g.width}" y2="${g.trackY}" stroke="#000" stroke-width="1"/>`
  );
}

/** One CartPole frame as SVG for the state `[x, xDot, theta, thetaDot]` (x and theta drawn). */
export function cartPoleFrameSvg(state: ArrayLike<number>, options: CartPoleDrawingOptions = {}): string {
  if (state.length < 3) {
    throw new Error(`cartPoleFrameSvg: expected a state [x, xDot, theta, thetaDot], got ${state.length} numbers.`);
  }
  const g = geometry(options);
  const x = cartX(g, state[0] as number);
  const degrees = poleDegrees(state[2] as number);
  return (
    `${frameOpen(g)}<g transform="translate(${x},${g.axleY})">` +
    bodySvg(g, '', '').replace('<g>', `<g transform="rotate(${degrees})">`) +
    `</g></svg>`
  );
}

/** Options of `cartPoleAnimationSvg` and `episodeAnimationHtml`. */
export interface CartPoleAnimationOptions extends CartPoleDrawingOptions {
  /** Frames per second; CartPole's own rate is 50 (tau = 0.02 s). */
  fps?: number;
  /** A line of text drawn in the corner, e.g. "greedy DQN agent, return 500". */
  caption?: string;
  /** Start again after the last frame (default true). */
  loop?: boolean;
}

/** An episode as one animated SVG: each frame's cart position and pole angle become SMIL keyframes. */
export function cartPoleAnimationSvg(states: ArrayLike<number>[], options: CartPoleAnimationOptions = {}): string {
  if (states.length === 0) {
    throw new Error('cartPoleAnimationSvg: no frames to animate; pass the observations of an episode.');
  }
  const fps = options.fps ?? 50;
  if (!(fps > 0)) throw new Error(`cartPoleAnimationSvg: fps must be positive, got ${fps}.`);
  const g = geometry(options);
  // Hold the last frame for half a second before the animation repeats.
  const hold = Math.max(1, Math.round(fps / 2));
  const frames = [...states, ...Array.from({ length: hold }, () => states[states.length - 1] as ArrayLike<number>)];
  const seconds = round(Math.max(frames.length - 1, 1) / fps);
  const repeat = options.loop === false ? 'fill="freeze"' : 'repeatCount="indefinite"';
  const translate = frames.map((s) => `${cartX(g, s[0] as number)},${g.axleY}`).join(';');
  const rotate = frames.map((s) => `${poleDegrees(s[2] as number)}`).join(';');
  const cartAnimation = `<animateTransform attributeName="transform" type="translate" values="${translate}" dur="${seconds}s" ${repeat}/>`;
  const poleAnimation = `<animateTransform attributeName="transform" type="rotate" values="${rotate}" dur="${seconds}s" ${repeat}/>`;
  const first = frames[0] as ArrayLike<number>;
  const caption = options.caption
    ? `<text x="8" y="20" font-family="sans-serif" font-size="14" fill="#333">${escapeHtml(options.caption)}</text>`
    : '';
  const progress =
    `<rect x="0" y="${g.height - 4}" height="4" width="0" fill="#4a7">` +
    `<animate attributeName="width" values="0;${g.width};${g.width}" keyTimes="0;${round(1 - hold / frames.length)};1" dur="${seconds}s" ${repeat}/></rect>`;
  return (
    `${frameOpen(g)}${caption}${progress}` +
    `<g transform="translate(${cartX(g, first[0] as number)},${g.axleY})">` +
    bodySvg(g, cartAnimation, poleAnimation).replace('<g>', `<g transform="rotate(${poleDegrees(first[2] as number)})">`) +
    `</g></svg>`
  );
}

/** The animation wrapped in a small HTML block with a caption line. */
export function episodeAnimationHtml(states: ArrayLike<number>[], options: CartPoleAnimationOptions = {}): string {
  const svg = cartPoleAnimationSvg(states, options);
  const fps = options.fps ?? 50;
  const note = `${states.length} frames at ${fps} frames per second (${round(states.length / fps)} s)`;
  return `<div style="display:inline-block;text-align:center">${svg}<div style="font:12px sans-serif;color:#666">${note}</div></div>`;
}
