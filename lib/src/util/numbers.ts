/**
 * The shape of numeric input the book's helpers accept (chapter 0).
 */

/** Numbers as a plain array or a typed array (chapter 0): charts, statistics and price series take either. */
export type Numbers = ArrayLike<number>;
