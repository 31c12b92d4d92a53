// Postfix policy grammar and tls_policy tables: pure parsers and lints (no network).
export * from './protocols.js';
export * from './ciphers.js';
export * from './levels.js';
export * from './table.js';
export * from './lint.js';
