/**
 * A stand-in DNS server for tests (never a real resolver): answers A queries for the names given
 * on the command line over UDP, NXDOMAIN for other names, no records for other types; prints one
 * line per query (`query NAME TYPE from ADDRESS`) so a test sees who asked.
 * Usage: node dns-responder.mjs PORT NAME=IPV4...
 */
import { createSocket } from "node:dgram";

const [port, ...pairs] = process.argv.slice(2);
const names = new Map(pairs.map((p) => p.split("=")).map(([n, a]) => [n.toLowerCase(), a]));

/** The question of a query: name, type, and where it ends. */
function question(msg) {
  const labels = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString("latin1"));
    i += msg[i] + 1;
  }
  return { name: labels.join(".").toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

const socket = createSocket("udp4");
socket.on("message", (msg, from) => {
  if (msg.length < 17) return;
  const q = question(msg);
  console.log(`query ${q.name} ${q.type} from ${from.address}`);
  const address = names.get(q.name);
  const answer = address !== undefined && q.type === 1;
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2); // the query's ID
  header.writeUInt16BE(0x8180 | (address === undefined ? 3 : 0), 2); // response, RD, RA; NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer ? 1 : 0, 6);
  const parts = [header, msg.subarray(12, q.end)];
  if (answer) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6); // TTL
    rr.writeUInt16BE(4, 10);
    Buffer.from(address.split(".").map(Number)).copy(rr, 12);
    parts.push(rr);
  }
  socket.send(Buffer.concat(parts), from.port, from.address);
});
socket.bind(Number(port), () => console.log(`listening ${port}`));
