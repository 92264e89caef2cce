/**
 * Unit tests never touch the real state directory: each test file gets a private one, and a private
 * temporary directory (TMPDIR, which os.tmpdir() reads), both removed when the file ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const scratch = mkdtempSync(join(tmpdir(), "nslab-unit-"));
process.env.TMPDIR = scratch;
process.env.NSLAB_STATE_DIR = mkdtempSync(join(scratch, "state-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
