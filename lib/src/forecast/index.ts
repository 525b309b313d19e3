export * from './features';
export * from './walk-forward';
export * from './garch';
export * from './metrics';
export * from './transformer';
