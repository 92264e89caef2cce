/**
 * The words of a shell line (pure): splitting it, replacing node names by addresses (`h1 ping h2`
 * pings h2's address, as in Mininet) and completing the word under the cursor.
 */

/** The first word of a line and the rest of it as typed (leading blanks dropped). */
export function splitLine(line: string): { word: string; rest: string } {
  const m = line.trim().match(/^(\S+)\s*(.*)$/s);
  return m ? { word: m[1]!, rest: m[2]! } : { word: "", rest: "" };
}

/** The blank-separated words of `text`. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

/**
 * `text` with each word that is exactly a node's name replaced by that node's address (the map);
 * everything else — quotes, pipes, spacing — left as typed.
 */
export function withAddresses(text: string, addressOf: ReadonlyMap<string, string>): string {
  return text.replace(
    /(^|[\s'"=@,])([A-Za-z0-9_.-]+)(?=$|[\s'"|;&>)<,])/g,
    (all, lead: string, w: string) => {
      const a = addressOf.get(w);
      return a === undefined ? all : `${lead}${a}`;
    },
  );
}

/** What Tab offers: the commands and nodes for the first word; nodes and endpoints after it. */
export interface Vocabulary {
  commands: readonly string[];
  nodes: readonly string[];
  endpoints: readonly string[];
}

/** Completions of the last word of `line` (readline's completer: candidates and the word). */
export function complete(line: string, v: Vocabulary): [string[], string] {
  const m = line.match(/(\S*)$/);
  const word = m ? m[1]! : "";
  const first = line.trimStart() === word;
  const pool = first ? [...v.commands, ...v.nodes] : [...v.nodes, ...v.endpoints];
  const hits = [...new Set(pool)].filter((c) => c.startsWith(word)).sort();
  return [hits, word];
}
