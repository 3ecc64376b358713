export * from './schema.js';
export * from './store.js';
export * from './resolve.js';
export * from './run-settings.js';
