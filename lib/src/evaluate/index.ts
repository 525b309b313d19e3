export * from './roc';
export * from './threshold';
export * from './calibration';
export * from './bands';
export * from './bootstrap';
export * from './fairness';
export * from './predict';
export * from './errors';
