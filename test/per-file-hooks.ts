// vitest runs this before every test file (setupFiles), so its hooks belong to each file. The
// helpers' own modules are evaluated once per worker when files are not isolated: hooks
// registered there would run for the first file only.
import { afterAll, afterEach } from 'vitest';
import { removeTempDirs } from './helpers.js';
import { closeApis } from './routing-harness.js';

afterEach(closeApis);
afterAll(removeTempDirs);
