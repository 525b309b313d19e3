export * from './interrupt';
export * from './engine-repair';
export * from './keep-latest';
export * from './jupyter';
