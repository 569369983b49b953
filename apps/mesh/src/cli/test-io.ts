import type { Io } from "./usage.ts";

/** An Io that records what a command prints, for tests. */
export function recordingIo(cwd: string, stdin = ""): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readStdin: async () => stdin,
  };
  return io;
}
