export * from './tables';
export * from './statistics';
export * from './finance';
export * from './credit';
export * from './dataset';
export * from './mnist';
export * from './imdb';
