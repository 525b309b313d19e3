/** Showing a CartPole episode in the notebook (chapter 9). */
import { writeFileSync } from 'node:fs';
import { episodeAnimationHtml, type CartPoleAnimationOptions } from 'gym-js';
import { showHtml } from '../notebook/jupyter';

/** Shows the episode animation in a tslab notebook; elsewhere writes its HTML to `options.file` if given. */
export function showEpisodeAnimation(
  states: ArrayLike<number>[],
  options: CartPoleAnimationOptions & { file?: string } = {},
): void {
  const html = episodeAnimationHtml(states, options);
  const shown = showHtml(html, `CartPole animation: ${states.length} frames`);
  if (!shown && options.file) writeFileSync(options.file, `<!doctype html><meta charset="utf-8">${html}\n`);
}
