/** Chapter 2's grid world: a robot, a goal, a pit and a wall; value iteration itself stays in the notebook. */
import { heatmap } from '../plot/charts';
import { checkPositiveIntegers } from '../util/validate';
import type { Figure } from '../plot/figure';

/** A move in the grid world, written as the arrow the policy figure draws. */
export type GridMove = '↑' | '↓' | '←' | '→';

/** A cell of the grid world: [row, column], row 0 at the top. */
export type GridCell = readonly [number, number];

/** The four moves and the [row, column] step each makes. */
export const GRID_MOVES: Readonly<Record<GridMove, GridCell>> = { '↑': [-1, 0], '↓': [1, 0], '←': [0, -1], '→': [0, 1] };

export interface GridWorldOptions {
  rows: number;
  columns: number;
  /** Reaching it pays `goalReward` (default +1) and ends the episode. */
  goal: GridCell;
  /** Falling in costs `pitReward` (default −1) and ends the episode. */
  pit: GridCell;
  /** A cell no move can enter: a move into it, like a move off the grid, stays where it is. */
  wall: GridCell;
  /** The reward of every other move (chapter 2 uses −0.04: hurry up). */
  stepReward: number;
  goalReward?: number;
  pitReward?: number;
}

/** A deterministic grid world: `step(cell, move)` gives the next cell and the reward; off-grid or wall moves stay. */
export class GridWorld {
  readonly rows: number;
  readonly columns: number;
  readonly goal: GridCell;
  readonly pit: GridCell;
  readonly wall: GridCell;
  readonly stepReward: number;
  readonly goalReward: number;
  readonly pitReward: number;
  /** The moves in a fixed order; ties between equally good moves go to the first. */
  readonly moves: readonly GridMove[] = ['↑', '↓', '←', '→'];

  constructor(options: GridWorldOptions) {
    const { rows, columns } = options;
    checkPositiveIntegers('GridWorld', { rows, columns });
    this.rows = rows;
    this.columns = columns;
    for (const [name, cell] of [['goal', options.goal], ['pit', options.pit], ['wall', options.wall]] as const) {
      if (!this.inside(cell)) {
        throw new Error(`GridWorld: the ${name} [${cell.join(', ')}] is outside the ${rows} × ${columns} grid; rows run 0..${rows - 1}, columns 0..${columns - 1}.`);
      }
    }
    if (sameCell(options.goal, options.pit) || sameCell(options.goal, options.wall) || sameCell(options.pit, options.wall)) {
      throw new Error('GridWorld: the goal, the pit and the wall must be three different cells.');
    }
    this.goal = options.goal;
    this.pit = options.pit;
    this.wall = options.wall;
    this.stepReward = options.stepReward;
    this.goalReward = options.goalReward ?? 1;
    this.pitReward = options.pitReward ?? -1;
  }

  private inside(cell: GridCell): boolean {
    return Number.isInteger(cell[0]) && Number.isInteger(cell[1]) && cell[0] >= 0 && cell[0] < this.rows && cell[1] >= 0 && cell[1] < this.columns;
  }

  /** Whether an episode ends in this cell: the goal or the pit. */
  isTerminal(cell: GridCell): boolean {
    return sameCell(cell, this.goal) || sameCell(cell, this.pit);
  }

  isWall(cell: GridCell): boolean {
    return sameCell(cell, this.wall);
  }

  /** The next cell and the reward of one move from `cell`. */
  step(cell: GridCell, move: GridMove): { next: GridCell; reward: number } {
    if (!this.inside(cell)) throw new Error(`GridWorld.step: the cell [${cell.join(', ')}] is outside the ${this.rows} × ${this.columns} grid.`);
    const delta = GRID_MOVES[move];
    if (!delta) throw new Error(`GridWorld.step: unknown move "${move}"; use one of ${this.moves.join(' ')}.`);
    const moved: GridCell = [cell[0] + delta[0], cell[1] + delta[1]];
    const next = this.inside(moved) && !this.isWall(moved) ? moved : cell;
    const reward = sameCell(next, this.goal) ? this.goalReward : sameCell(next, this.pit) ? this.pitReward : this.stepReward;
    return { next, reward };
  }

  /** A rows × columns table filled with `value`: the starting values of value iteration. */
  table(value = 0): number[][] {
    return Array.from({ length: this.rows }, () => new Array<number>(this.columns).fill(value));
  }
}

function sameCell(a: GridCell, b: GridCell): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** The state values as colours, the policy's arrows with values below, goal, pit and wall named; terminals and the wall blank. */
export function gridWorldFigure(world: GridWorld, values: number[][], policy: (GridMove | null)[][], options: { title?: string; height?: number } = {}): Figure {
  const shaped = (table: unknown[][]) => table.length === world.rows && table.every((row) => row.length === world.columns);
  if (!shaped(values) || !shaped(policy)) {
    throw new Error(`gridWorldFigure: values and policy must both be ${world.rows} rows of ${world.columns}, like the world.`);
  }
  const blank = (r: number, c: number) => world.isWall([r, c]) || world.isTerminal([r, c]);
  return heatmap(values.map((row, r) => row.map((v, c) => (blank(r, c) ? null : v))), {
    x: Array.from({ length: world.columns }, (_, c) => `column ${c}`),
    y: Array.from({ length: world.rows }, (_, r) => `row ${r}`),
    cellText: policy.map((row, r) => row.map((move, c) => (move === null || blank(r, c) ? null : `<span style="font-size:22px">${move}</span><br>${values[r]![c]!.toFixed(2)}`))),
    marks: [
      { row: world.goal[0], column: world.goal[1], label: `goal ${signed(world.goalReward)}`, color: 'green' },
      { row: world.pit[0], column: world.pit[1], label: `pit ${signed(world.pitReward)}`, color: 'red' },
      { row: world.wall[0], column: world.wall[1], label: 'wall', color: 'grey' },
    ],
    reverseY: true,
    colorscale: 'RdBu',
    colorbarTitle: 'V(s)',
    title: options.title ?? 'State values V(s) and the greedy policy',
    height: options.height ?? 420,
  });
}

function signed(value: number): string {
  return value < 0 ? `−${-value}` : `+${value}`;
}
