/**
 * Showing a CartPole episode in the notebook (chapter 9): the drawing comes
 * from gym-js, the notebook bridge from dlkit's `plot/`.
 */
import { writeFileSync } from 'node:fs';
import { episodeAnimationHtml, type CartPoleAnimationOptions } from 'gym-js';
import { showHtml } from '../notebook/jupyter';

/**
 * Shows the episode animation inline when running in a tslab notebook
 * (chapter 9). Outside a notebook it writes the HTML to `options.file` when
 * given and otherwise does nothing. Use `episodeAnimationHtml` for the HTML itself.
 */
export function showEpisodeAnimation(
  states: ArrayLike<number>[],
  options: CartPoleAnimationOptions & { file?: string } = {},
): void {
  const html = episodeAnimationHtml(states, options);
  const shown = showHtml(html, `CartPole animation: ${states.length} frames`);
  if (!shown && options.file) writeFileSync(options.file, `<!doctype html><meta charset="utf-8">${html}\n`);
}
