import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests need Chromium and run on their own: `npm run test:browser` (vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // Bounds that only stop a hung test: tests wait for events, and a busy machine may be slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most test time is spent waiting on spawned servers and loopback I/O, not on CPU: three
    // workers on a 2-core machine halve the suite (vitest's default here would be one).
    maxWorkers: 3,
  },
});
