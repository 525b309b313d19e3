export * from './callbacks';
export * from './metrics';
export * from './schedules';
export * from './checkpoint';
export * from './trainer';
export * from './keep-latest';
export * from './throughput';
