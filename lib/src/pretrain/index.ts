export * from './recipe';
export * from './run';
