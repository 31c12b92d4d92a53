// Runs in every test file: the file's temp dirs (test PKI keys, Postfix instances) go when the
// file ends — vitest workers exit without the 'exit' event a plain process would get.
import { afterAll } from 'vitest';
import { removeTempDirs } from '../fixtures/temp.js';

afterAll(() => {
  removeTempDirs();
});
