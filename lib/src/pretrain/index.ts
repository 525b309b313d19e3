export * from './recipe';
export * from './run';
export * from './fine-tune';
