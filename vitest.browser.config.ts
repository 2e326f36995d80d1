import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the tests that drive a real Chromium (Debian's, at /usr/bin/chromium)
// through the approval pages. Not part of `npm test`, which needs no browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // A cold Chromium start on a busy 2-core machine takes seconds; generous on purpose.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // One browser at a time.
    maxWorkers: 1,
    // Removes each file's temp dirs when it ends (see vitest.config.ts).
    setupFiles: ['test/per-file-hooks.ts'],
  },
});
