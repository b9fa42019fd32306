import http from "node:http";

/**
 * POSTs headers announcing `bytes` of body, sends none, and returns the answer's status and text. A server that
 * refuses an oversized body by its Content-Length answers before reading a byte; sending the body instead would race
 * the server's closing of the socket, and an EPIPE or ECONNRESET can lose the answer.
 */
export function postDeclaringLength(
  url: string,
  bytes: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers, "content-length": String(bytes) },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode!, text });
        req.destroy();
      });
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}
