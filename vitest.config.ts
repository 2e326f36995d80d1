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
    // Each worker keeps the modules it loaded (the SDK, zod, src/) from one test file to the next,
    // instead of a new process importing them all again for every file: that import was about a
    // third of the suite's CPU. No test mocks modules or stubs globals, and the hooks the helpers
    // need in every file are registered by the setup file, which vitest runs again for each file.
    isolate: false,
    setupFiles: ['test/per-file-hooks.ts'],
    // Worker threads rather than child processes: one process for the three workers costs less CPU
    // (no test changes the process's directory, signals or environment). The servers the tests
    // spawn are processes of their own either way.
    pool: 'threads',
  },
});
