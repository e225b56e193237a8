/** The marketplace's typed TypeScript client (browser-safe parts). */
export * from './chain.js';
export * from './contracts.js';
export * from './errors.js';
export * from './format.js';
export * from './tx.js';
export * from './submit.js';
export * from './compute.js';
export * from './dao.js';
export * from './indexer.js';
