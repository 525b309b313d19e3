export * from './wordpiece';
export * from './bag-of-words';
export * from './windows';
export * from './masking';
export * from './byte-level-bpe';
export * from './kneser-ney';
export * from './sampling';
