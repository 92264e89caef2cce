import { defineConfig } from "vitest/config";

// Three projects: `unit` needs nothing but Node; `integration` drives the real kernel as root and
// runs one file at a time (the kernel is shared); `browser` drives the web view in headless
// Chromium against a real lab, one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/unit-setup.ts"],
          // CPU-bound tests on 10,000-host topologies take ~1 s alone and several on a loaded 2-core
          // machine (the integration project runs beside them): 5 s was a flake, not a limit.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/integration-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/integration-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
