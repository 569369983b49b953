import type { Socket } from "node:net";

/**
 * Telling HTTP/1.1 from HTTP/2 on one plaintext port, as Envoy's codec does with
 * `codec_type: AUTO`: an HTTP/2 client with prior knowledge (h2c) opens with the
 * connection preface (RFC 9113 §3.4); anything else is HTTP/1.x. No HTTP/1.1 request
 * line can start with the preface, so the first byte that differs decides.
 */
export const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export type DownstreamProtocol = "http1" | "http2";

/** Decides from the bytes seen so far; "more" while they are still a prefix of the preface. */
export function classifyPreface(seen: Buffer): DownstreamProtocol | "more" {
  const n = Math.min(seen.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (seen[i] !== HTTP2_PREFACE[i]) return "http1";
  return n === HTTP2_PREFACE.length ? "http2" : "more";
}

/**
 * Reads from a fresh connection until the protocol is known, puts every byte back and
 * hands the socket on. A client that closes before deciding is dropped. The common
 * case (an HTTP/1.1 request, or a whole preface in the first segment) decides on the
 * first read.
 */
export function sniffDownstream(socket: Socket, decided: (protocol: DownstreamProtocol) => void): void {
  let seen: Buffer | undefined;
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) seen = seen ? Buffer.concat([seen, chunk]) : chunk;
    if (!seen) return;
    const protocol = classifyPreface(seen);
    if (protocol === "more") return;
    socket.off("readable", onReadable);
    socket.off("end", onEnd);
    socket.unshift(seen);
    decided(protocol);
  };
  const onEnd = () => {
    socket.off("readable", onReadable);
    socket.destroy();
  };
  socket.on("readable", onReadable);
  socket.once("end", onEnd);
  // Bytes a caller already peeked at and put back raise no new "readable" event.
  if (socket.readableLength > 0) onReadable();
}
