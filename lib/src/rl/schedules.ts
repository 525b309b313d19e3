/** Exploration schedules (chapter 9). */

/** A straight line from `start` to `end` over `duration` steps, then `end`: DQN's epsilon from 1 to 0.05. */
export function linearSchedule(start: number, end: number, duration: number): (step: number) => number {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new Error(`linearSchedule: start and end must be finite numbers, got ${start} and ${end}.`);
  }
  if (!(duration > 0)) throw new Error(`linearSchedule: duration must be a positive number of steps, got ${duration}.`);
  return (step: number) => end + (start - end) * Math.max(0, 1 - step / duration);
}
