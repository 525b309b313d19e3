export * from './jupyter';
export * from './plotly-bundle';
export * from './figure';
export * from './charts';
export * from './live-plot';
export * from './table';
