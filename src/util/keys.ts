/**
 * Keys a topology may not use, in any form (a YAML file, a containerlab file, an object built in
 * code): the names through which a JavaScript object reaches its prototype. Written into a plain
 * object, `__proto__` replaces the object's prototype instead of adding a field (so the field
 * vanishes, or worse, later writes land in Object.prototype and change every object in the
 * process); `constructor` and `prototype` read back something no file wrote. Every reader refuses
 * them with a located problem, and code that turns names from a file into keys writes own
 * properties only ({@link setOwn}) and reads them back the same way ({@link getOwn}).
 */

/** The reserved keys. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The problem's wording, one for every reader: `what` names the key (an interface name, …). */
export function reservedKeyMessage(key: string, what = "the key"): string {
  return `${what} '${key}' is not allowed (__proto__, constructor and prototype are reserved)`;
}

/** `obj[key] = value` as an own, enumerable property, whatever the key (never the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: NoInfer<T>): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** `obj[key]` when it is the object's own property, else undefined (never an inherited one). */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * The paths of reserved keys in plain data (own properties of objects, at any depth up to
 * `maxDepth`), for data that did not come through the YAML reader: objects built in code, and what
 * the containerlab adapter made.
 */
export function reservedKeyPaths(data: unknown, maxDepth = 64): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (v === null || typeof v !== "object" || path.length > maxDepth) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], [...path, i]);
      return;
    }
    for (const key of Object.getOwnPropertyNames(v)) {
      if (RESERVED_KEYS.has(key)) found.push([...path, key]);
      else walk((v as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(data, []);
  return found;
}
