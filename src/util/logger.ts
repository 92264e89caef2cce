/** The logger every part of nslab reports through (the CLI prints it; the library is silent by default). */

/** Receives what an operation has to say along the way. */
export type Logger = (level: "info" | "warn", message: string) => void;
