/** Escapes text for safe inclusion in HTML (chapter 0); defined in gym-js, whose CartPole drawing needs it too. */
export { escapeHtml } from 'gym-js';
export { plotlySource } from './plotly-bundle';
export * from './figure';
export * from './charts';
export * from './live-plot';
export * from './table';
