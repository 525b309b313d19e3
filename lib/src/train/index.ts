export * from './callbacks';
export * from './metrics';
export * from './schedules';
export * from './gradient-clip';
export * from './checkpoint';
export * from './trainer';
