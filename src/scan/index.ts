export { scan, DEFAULT_PER_HOST } from './scan.js';
export { SCAN_PROFILES, gradeScan } from './profiles/index.js';
