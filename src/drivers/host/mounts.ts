/**
 * The host's mounts as this process sees them (/proc/self/mountinfo): mount point, file system type
 * and source, with mountinfo's octal escapes undone. One reader for every question about mounts.
 */
import { readFileSync } from "node:fs";

/** One mount. */
export interface Mount {
  point: string;
  fstype: string;
  source: string;
}

const unescapeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Every mount (none when mountinfo cannot be read). */
export function readMounts(): Mount[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const out: Mount[] = [];
  for (const line of text.split("\n")) {
    const [pre, post] = line.split(" - ");
    const point = pre?.split(" ")[4];
    const [fstype, source] = post?.split(" ") ?? [];
    if (point && fstype)
      out.push({ point: unescapeOctal(point), fstype, source: unescapeOctal(source ?? "") });
  }
  return out;
}
