// The app behind every topology: a minimal node:http server in its own process. "/"
// answers a small fixed body (the measured path); "/probe" echoes the request headers,
// so the bench can check that a topology really carries the caller's mTLS identity.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const BODY = Buffer.from('{"service":"bench-app","status":"ok"}\n');

const server = createServer((req, res) => {
  if (req.url === "/probe") {
    const body = Buffer.from(JSON.stringify(req.headers));
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = 600_000;
server.listen(0, "127.0.0.1", () => console.log(`bench app listening on 127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
