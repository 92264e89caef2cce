/** The files a topology names for its FRR routers (frr.conf, daemons files), read for planning. */
import { readFile } from "node:fs/promises";
import type { FileText } from "../../plan/frr/routers.js";

/** Largest file read (FRR configurations are kilobytes; anything this big is not one). */
const MAX_BYTES = 4 * 1024 * 1024;

/** The text of each path, or why it could not be read. */
export async function readNamedFiles(paths: Iterable<string>): Promise<Map<string, FileText>> {
  const out = new Map<string, FileText>();
  await Promise.all(
    [...new Set(paths)].map(async (path) => {
      try {
        const data = await readFile(path);
        out.set(
          path,
          data.length > MAX_BYTES ? { error: `larger than ${MAX_BYTES} bytes` } : data.toString("utf8"),
        );
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        out.set(path, {
          error: err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "a directory" : err.message,
        });
      }
    }),
  );
  return out;
}
