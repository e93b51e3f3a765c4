import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The tests mostly wait on child processes (the CLI, PostgreSQL, restic, chromium), so one
    // test file per core leaves the cores idle; two at once on this 2-core machine take the
    // suite from 11 to 6 minutes.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
