/** The parts of a link every other model type refers to: an endpoint reference and shaping. */

/** `node:interface` */
export interface EndpointRef {
  node: string;
  iface: string;
}

/** Traffic shaping of one direction of a link (tc tbf for a rate alone, netem otherwise). */
export interface Shaping {
  /** Rate limit in bits per second. */
  rateBps?: number;
  /** Added delay in microseconds. */
  delayUs?: number;
  /** Delay variation in microseconds (with a delay). */
  jitterUs?: number;
  /** Random loss in percent (0–100). */
  lossPct?: number;
}
