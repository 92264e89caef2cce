/**
 * Per-lab locks so two nslab processes never change one lab at once. A lock is a file created
 * with O_EXCL holding the holder's PID and start time; a lock whose holder is gone — exited, killed,
 * or a zombie nobody reaped (util/proc.ts decides) — is reclaimed at once, saying so. A file still
 * without its record is a taker between creating and writing it: busy, unless it is old (a crash
 * there). A reclaim removes only the very file it found stale (the same inode and contents).
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { NslabError } from "../errors.js";
import { isAlive, type ProcessId, selfId, whyGone } from "../util/proc.js";
import { stateDir } from "./dir.js";

interface LockRecord extends ProcessId {
  command: string;
  since: string;
}

/** A held lock. */
export interface Lock {
  readonly name: string;
  release(): void;
}

/**
 * Take the lock `name` (a lab name, or `_ovs` for the shared OVS daemons). Throws E_LOCKED naming
 * the holder's PID when a live process holds it. `onReclaim` hears about stale locks taken over.
 */
export function acquireLock(name: string, command: string, onReclaim?: (msg: string) => void): Lock {
  const path = join(stateDir("locks"), `${name}.lock`);
  const record: LockRecord = { ...selfId(), command, since: new Date().toISOString() };
  for (let attempt = 0, waits = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        writeSync(fd, JSON.stringify(record));
      } finally {
        closeSync(fd);
      }
      removeOldGuard(path);
      let released = false;
      return {
        name,
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {}
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const seen = lockFile(path);
    // Released between our open and this look: try again.
    if (seen === undefined) continue;
    const holder = seen.holder;
    // A file without its record yet: its taker is between creating and writing it (microseconds),
    // or crashed there (then it is stale once it is old). Look again a moment later, to name it.
    if (!holder && Date.now() - seen.mtimeMs < UNWRITTEN_STALE_MS) {
      if (waits++ < UNWRITTEN_WAITS) {
        sleepMs(1);
        attempt--;
        continue;
      }
      throw new NslabError("E_LOCKED", `'${name}' is being locked by another process right now`, {
        hint: "wait for it to finish, then try again",
      });
    }
    if (holder && isAlive(holder)) {
      if (holder.pid === process.pid)
        throw new NslabError("E_LOCKED", `'${name}' is already locked by this process`);
      throw new NslabError(
        "E_LOCKED",
        `'${name}' is busy: process ${holder.pid} (${holder.command}) holds it since ${holder.since}`,
        { hint: `wait for it to finish, or stop it (kill ${holder.pid}) if it is stuck` },
      );
    }
    // Stale: its holder is gone (or the file is unreadable garbage from a crash).
    if (reclaim(path, seen))
      onReclaim?.(
        holder
          ? `reclaimed the lock on '${name}' left by process ${holder.pid} (${holder.command}), which ${whyGone(holder)}`
          : `reclaimed an unreadable lock file on '${name}'`,
      );
  }
  throw new NslabError("E_LOCKED", `could not take the lock on '${name}'`, { hint: "try again" });
}

/**
 * Take the lock `name`, waiting while a live process (this one included) holds it, for at most
 * `timeoutMs` (then E_LOCKED). For short critical sections every lab shares, such as starting and
 * stopping the OVS daemons, where concurrent labs should queue rather than fail.
 */
export async function acquireLockWaiting(
  name: string,
  command: string,
  options: { timeoutMs?: number; onReclaim?: (msg: string) => void } = {},
): Promise<Lock> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      return acquireLock(name, command, options.onReclaim);
    } catch (e) {
      if (!(e instanceof NslabError) || e.code !== "E_LOCKED" || Date.now() >= deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
  }
}

/** Every lock a live process holds now, with the command that took it. */
export function liveLocks(): { name: string; pid: number; command: string }[] {
  const dir = stateDir("locks");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lock"))
    .flatMap((f) => {
      const holder = readHolder(join(dir, f));
      return holder && isAlive(holder)
        ? [{ name: f.slice(0, -5), pid: holder.pid, command: holder.command }]
        : [];
    });
}

/** Locks whose holder is gone (the file a `kill -9` left), by name. */
export function staleLocks(): string[] {
  const dir = stateDir("locks");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lock"))
    .flatMap((f) => {
      const holder = readHolder(join(dir, f));
      return holder && !isAlive(holder) ? [f.slice(0, -5)] : [];
    });
}

/** The reclaim guard of `path`, if a crash mid-reclaim left it (older than 10 s): remove it. */
function removeOldGuard(path: string): void {
  try {
    if (Date.now() - statSync(`${path}.reclaim`).mtimeMs > 10_000) unlinkSync(`${path}.reclaim`);
  } catch {}
}

/**
 * Remove a stale lock file, unless someone replaced it meanwhile. Two processes reclaiming at
 * once must not delete each other's fresh lock, so reclaiming is itself guarded by an O_EXCL file.
 */
function reclaim(path: string, stale: LockFile): boolean {
  const guard = `${path}.reclaim`;
  removeOldGuard(path); // left by a crash mid-reclaim
  let fd: number;
  try {
    fd = openSync(
      guard,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
  } catch {
    return false; // someone else is reclaiming; the caller retries
  }
  try {
    // The same file as seen stale (the same inode, and the same holder or still none); a file gone
    // meanwhile is no one's to remove: a new taker may be about to make it.
    const now = lockFile(path);
    const same =
      now !== undefined &&
      now.ino === stale.ino &&
      (now.holder === undefined
        ? stale.holder === undefined
        : stale.holder !== undefined &&
          now.holder.pid === stale.holder.pid &&
          now.holder.since === stale.holder.since);
    if (!same) return false;
    try {
      unlinkSync(path);
    } catch {}
    return true;
  } finally {
    closeSync(fd);
    try {
      unlinkSync(guard);
    } catch {}
  }
}

/** How long a lock file may stay without its record before it counts as a crash's leftover. */
const UNWRITTEN_STALE_MS = 10_000;
/** How many times (1 ms apart) a lock file without its record is looked at again before E_LOCKED. */
const UNWRITTEN_WAITS = 50;

/** Block this thread for `ms` (locks are taken synchronously; the wait is a millisecond or so). */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock file as read now: its holder (undefined: no record in it yet, or garbage), inode, age. */
interface LockFile {
  holder: LockRecord | undefined;
  ino: number;
  mtimeMs: number;
}

/** The lock file at `path`, read through one descriptor (its inode and contents agree); undefined: none. */
function lockFile(path: string): LockFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    let holder: LockRecord | undefined;
    try {
      const r = JSON.parse(readFileSync(fd, "utf8")) as LockRecord;
      holder = typeof r.pid === "number" ? r : undefined;
    } catch {
      holder = undefined;
    }
    return { holder, ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function readHolder(path: string): LockRecord | undefined {
  return lockFile(path)?.holder;
}
