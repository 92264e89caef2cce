// A TCP connection on stdin/stdout, for ssh's ProxyCommand (the simulated machines' tests):
//   ProxyCommand nsenter --net=CONTROLLER -- node tcp-relay.mjs %h %p
// Exits 255 when the connection cannot be made within 5 s, like ssh itself.
import net from "node:net";

const [host, port] = process.argv.slice(2);
const socket = net.connect({ host, port: Number(port) });
const fail = (why) => {
  process.stderr.write(`ssh: connect to host ${host} port ${port}: ${why}\n`);
  process.exit(255);
};
const timer = setTimeout(() => fail("Connection timed out"), 5000);
socket.once("connect", () => {
  clearTimeout(timer);
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
});
socket.once("error", (e) => fail(e.code === "ECONNREFUSED" ? "Connection refused" : e.message));
socket.once("close", () => process.exit(0));
process.stdin.once("end", () => socket.end());
