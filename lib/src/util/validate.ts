/** The validators every room uses (chapter 0): positive integers (sizes, counts, steps), attention heads. */

/**
 * Throws unless every named value is a positive integer: arrays element by element, `undefined` (an option left out)
 * skipped; the message names caller, value and what it got (`mlp: hidden[1] must be a positive integer, got 0.`).
 */
export function checkPositiveIntegers(caller: string, values: Record<string, number | readonly number[] | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value === 'number') checkOne(caller, name, value);
    else value.forEach((v, i) => checkOne(caller, `${name}[${i}]`, v));
  }
}

function checkOne(caller: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${caller}: ${name} must be a positive integer, got ${value}.`);
}

/** Throws unless `heads` divides `hiddenSize`: each head gets hiddenSize / heads dimensions. */
export function checkHeadsDivide(caller: string, hiddenSize: number, heads: number): void {
  if (hiddenSize % heads !== 0) {
    throw new Error(`${caller}: heads (${heads}) must divide hiddenSize (${hiddenSize}); each head gets hiddenSize / heads dimensions.`);
  }
}
