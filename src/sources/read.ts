/**
 * Reading a topology file, whatever its format: one stat (a regular file, its size checked against
 * {@link MAX_FILE_BYTES} before anything is read), then one read; `-` reads standard input (to its
 * end, within the same limit). Likewise the files a topology names (flows files).
 */
import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { NslabError } from "../errors.js";

/** Largest topology file nslab reads (checked before parsing). A 10,000-host lab is ~2 MB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** The file name that means standard input. */
export const STDIN = "-";

/** How a file is named in messages: `<stdin>` for `-`, else as given. */
export function displayName(path: string): string {
  return path === STDIN ? "<stdin>" : path;
}

/**
 * The text of a topology file (nslab's or containerlab's): a regular file, its size checked against
 * {@link MAX_FILE_BYTES} before it is read. Throws E_FILE.
 */
export async function readTopologyFile(path: string): Promise<string> {
  const text = await readIfFile(path, true);
  return text!;
}

/**
 * The text of the file at `path`, or undefined when there is no regular file there (for arguments
 * that name a file or a lab). Too big, or unreadable once found: E_FILE.
 */
export async function readTopologyFileIfPresent(path: string): Promise<string | undefined> {
  return readIfFile(path, false);
}

async function readIfFile(path: string, required: boolean): Promise<string | undefined> {
  if (path === STDIN) return readStdin();
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      if (!required) return undefined;
      throw new NslabError("E_FILE", `${path} is not a regular file`);
    }
    size = st.size;
  } catch (e) {
    if (e instanceof NslabError) throw e;
    if (!required) return undefined;
    throw new NslabError("E_FILE", `cannot read topology file ${path}: ${(e as Error).message}`, {
      hint: "check the path",
      cause: e,
    });
  }
  if (size > MAX_FILE_BYTES) {
    throw new NslabError(
      "E_FILE",
      `${path} is ${size} bytes; topology files are limited to ${MAX_FILE_BYTES} bytes`,
      {
        hint: "for very large labs use a generator (nslab up --topo …)",
      },
    );
  }
  return readFile(path, "utf8");
}

/** Standard input to its end (a topology piped in: `nslab validate - < lab.yaml`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_FILE_BYTES)
      throw new NslabError(
        "E_FILE",
        `standard input exceeds ${MAX_FILE_BYTES} bytes, the limit of a topology file`,
        {
          hint: "for very large labs use a generator (nslab up --topo …)",
        },
      );
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The text of a file a topology names (a flows file), with the same checks as a topology file;
 * what went wrong as a message, for the resolver to report at the place that names it.
 */
export function readNamedFile(path: string): { text: string } | { error: string } {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { error: "not a regular file" };
    if (st.size > MAX_FILE_BYTES) return { error: `${st.size} bytes; at most ${MAX_FILE_BYTES}` };
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? "no such file" : (e as Error).message };
  }
}
