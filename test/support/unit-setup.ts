/** Unit tests never touch the real state directory: each run gets a private one. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.NSLAB_STATE_DIR = mkdtempSync(join(tmpdir(), "nslab-unit-state-"));
