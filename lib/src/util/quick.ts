/** Quick mode (chapter 0): `DLKIT_QUICK=1` makes every notebook run on less data and fewer epochs. */

/** True when `DLKIT_QUICK` is set to 1, true or yes. */
export function isQuickMode(): boolean {
  const value = (process.env['DLKIT_QUICK'] ?? '').trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** Picks the full-mode or quick-mode value: `quickOr({ full: 20, quick: 2 })`. */
export function quickOr<T>(values: { full: T; quick: T }): T {
  return isQuickMode() ? values.quick : values.full;
}
