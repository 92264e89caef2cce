/**
 * The state directory (/run/nslab by default): root-owned, mode 0700, never a symlink. Files in
 * it are 0600 and written atomically (temp file `NAME.tmp.PID`, then rename): every other process
 * sees the old file or the new one whole, at once, and a writer killed at any point (`kill -9`)
 * leaves one of the two. They are not fsync'ed: they describe kernel objects, which a crash of the
 * system takes with it, and nslab does not count on them outliving one: /run is memory on most
 * systems, so they are gone after a reboot anyway. Where /run is on a disk (as on the VMs nslab is
 * developed on), the two fsyncs took ~1 ms a write, more on a busy disk. The temp file of a writer
 * that died mid-write is removed by the next process that holds the lock guarding that file
 * ({@link removeStaleTemps}).
 */
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { NslabError } from "../errors.js";
import { isAlive } from "../util/proc.js";

/** Where nslab keeps lab state; `NSLAB_STATE_DIR` overrides it (tests use a private one). */
export function stateRoot(): string {
  return process.env.NSLAB_STATE_DIR || "/run/nslab";
}

/** Make sure `dir` exists, is a real directory, owned by us, 0700. Returns it. */
export function secureDir(dir: string): string {
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(dir);
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  }
  if (st.isSymbolicLink() || !st.isDirectory())
    throw new NslabError(
      "E_STATE",
      `${dir} is not a plain directory (a symlink or a file?); refusing to use it`,
      {
        hint: `inspect it and remove it if it is not yours: ls -la ${dirname(dir)}`,
      },
    );
  const uid = process.getuid?.() ?? 0;
  if (st.uid !== uid)
    throw new NslabError(
      "E_STATE",
      `${dir} is owned by uid ${st.uid}, not by uid ${uid}; refusing to use it`,
      {
        hint: `inspect it: ls -la ${dirname(dir)}`,
      },
    );
  if ((st.mode & 0o077) !== 0)
    throw new NslabError(
      "E_STATE",
      `${dir} is accessible by other users (mode ${(st.mode & 0o777).toString(8)})`,
      {
        hint: `fix it: chmod 700 ${dir}`,
      },
    );
  return dir;
}

/** A subdirectory of the state root, secured. */
export function stateDir(...parts: string[]): string {
  secureDir(stateRoot());
  let dir = stateRoot();
  for (const p of parts) dir = secureDir(join(dir, p));
  return dir;
}

/** Write `data` to `path` atomically with mode 0600. `beforeRename` runs between (tests pause there). */
export function writeFileAtomic(
  path: string,
  data: string,
  options: { beforeRename?: () => void } = {},
): void {
  const tmp = `${path}.tmp.${process.pid}`;
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
  options.beforeRename?.();
  renameSync(tmp, path);
}

/**
 * Whether `path` is there, or a writer's temp file of it (`BASE.tmp.PID`): a look without the lock
 * guarding it, for whether there is anything to read or to clean up at all.
 */
export function fileOrTemps(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    // not there: perhaps a temp file is
  }
  const prefix = `${basename(path)}.tmp.`;
  try {
    return readdirSync(dirname(path)).some((name) => tempWriter(name, prefix) !== undefined);
  } catch {
    return false;
  }
}

/**
 * Remove the temp files (`BASE.tmp.PID`) of `path` whose writer is dead (exited, killed, a zombie):
 * what a `kill -9` during a write leaves. Only a holder of the lock guarding `path` may call this;
 * the temp file of a live writer is never touched. Returns the files removed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = tempWriter(name, prefix);
    if (pid === undefined || isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return removed;
}

/** The names of files in `dir` that are temp files of dead writers, with the file each was for. */
export function staleTemps(dir: string): { name: string; target: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const m = /^(.+)\.tmp\.(\d+)$/.exec(name);
    return m && !isAlive(Number(m[2])) ? [{ name, target: m[1]! }] : [];
  });
}

/** The PID in `name` when it is `PREFIX<pid>`. */
function tempWriter(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/** Remove a state file; a missing file is fine. */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** Refuse to read through symlinks or files not owned by us. */
export function checkFile(path: string): boolean {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return false;
  }
  if (st.isSymbolicLink() || !st.isFile())
    throw new NslabError("E_STATE", `${path} is not a regular file; refusing to read it`);
  const uid = process.getuid?.() ?? 0;
  if (st.uid !== uid)
    throw new NslabError("E_STATE", `${path} is owned by uid ${st.uid}; refusing to read it`);
  return true;
}
