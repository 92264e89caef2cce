/** Numbers for people: byte counts, rates, times. */

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/** 1234567 → "1.2 MB" (decimal units, as ip -h). */
export function bytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

/** Bytes per second as bits per second, the way links are usually measured. */
export function rate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits < 1000) return `${Math.round(bits)} bit/s`;
  if (bits < 1e6) return `${(bits / 1e3).toFixed(1)} kbit/s`;
  if (bits < 1e9) return `${(bits / 1e6).toFixed(1)} Mbit/s`;
  return `${(bits / 1e9).toFixed(2)} Gbit/s`;
}

/** "14:03:22" */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}
