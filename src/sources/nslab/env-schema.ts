/**
 * The schema of a namespace node's own environment as written in the topology file: `files:`
 * (paths inside the node → a file or directory of the lab, or inline content), `services:` (argv,
 * readiness, order, restarts) and the private run-time directories. Meaning (paths, references,
 * cycles) is checked by the model (model/node-env.ts, model/service-order.ts).
 */
import * as z from "zod";

const Mode = z
  .union([z.string(), z.number().int()])
  .describe("Permission bits, octal as a string ('0640') or a number (416 = 0o640).");

const Owner = z
  .string()
  .describe("Owner on the host's accounts: 'user' or 'user:group' (names or numbers), e.g. frr:frr.");

export const FileObjectSchema = z
  .strictObject({
    source: z
      .string()
      .optional()
      .describe(
        "A file or directory of the lab, relative to the topology file (copied into the node at up).",
      ),
    content: z.string().optional().describe("The file's content, written inline."),
    directory: z
      .literal(true)
      .optional()
      .describe("An empty directory of the node's own (it hides what the host has at that path)."),
    mode: Mode.optional(),
    owner: Owner.optional(),
  })
  .describe("A file or directory seen only inside this node: exactly one of source, content or directory.");

export const FileSchema = z
  .union([z.string().describe("Shorthand: a file of the lab (the source)."), FileObjectSchema])
  .describe("What the node sees at this path.");

const Port = z.number().int().min(1).max(65535);
const Timeout = z
  .union([z.string(), z.number()])
  .describe("How long to wait: 10s, 500ms; a number is seconds. Default 30s.");

export const ReadySchema = z
  .strictObject({
    tcp: Port.optional().describe("Ready when a TCP socket listens on this port in the node."),
    udp: Port.optional().describe("Ready when a UDP socket is bound to this port in the node."),
    file: z.string().optional().describe("Ready when this path exists in the node (e.g. a socket)."),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Ready when this command, run in the node (no shell), exits 0."),
    timeout: Timeout.optional(),
  })
  .describe("When the service counts as ready: exactly one of tcp, udp, file or command.");

export const ServiceSchema = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1)
      .describe("The program and its arguments (no shell; write [sh, -c, '…'] for one)."),
    ready: ReadySchema.optional(),
    after: z
      .array(z.string())
      .optional()
      .describe("Services that must be ready first: 'service' (same node) or 'node:service'."),
    restart: z
      .enum(["no", "on-failure", "always"])
      .optional()
      .describe(
        "Restart when it exits (on-failure: with a non-zero code or a signal), with a bounded back-off. Default no.",
      ),
    oneshot: z
      .boolean()
      .optional()
      .describe("A command that runs to completion: ready when it exits 0; a non-zero exit fails up."),
    env: z.record(z.string(), z.string()).optional().describe("Environment variables added for it."),
    cwd: z.string().optional().describe("Working directory inside the node (default /)."),
  })
  .describe("A program nslab runs in the node, supervised, from up to down.");

/** The fields a namespace node (host or router) gets for its own environment. */
export const nodeEnvFields = {
  files: z
    .record(z.string(), FileSchema)
    .optional()
    .describe(
      "Paths inside the node (absolute) → what the node sees there; the host's files are never changed.",
    ),
  services: z.record(z.string(), ServiceSchema).optional().describe("Programs run in the node, by name."),
  privateRun: z
    .boolean()
    .optional()
    .describe(
      "The node's own /run (and /var/run), so daemons in two nodes never share sockets or pidfiles. Default true.",
    ),
  privateTmp: z.boolean().optional().describe("The node's own /tmp. Default false."),
};

export type RawFile = z.infer<typeof FileSchema>;
export type RawService = z.infer<typeof ServiceSchema>;
export type RawReady = z.infer<typeof ReadySchema>;
