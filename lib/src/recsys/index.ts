export * from './ratings';
