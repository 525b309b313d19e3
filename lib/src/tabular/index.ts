export * from './split';
export * from './scaler';
export * from './encoder';
export * from './imbalance';
