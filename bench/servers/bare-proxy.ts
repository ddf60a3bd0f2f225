import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { Agent, request } from 'undici';

/**
 * The baseline of the mediator scenario: the least a proxy does. node:http in front, undici's
 * pooled keep-alive client behind (the same client and pool size the mediator forwards with),
 * no authentication, no access check, no log. Usage: bare-proxy.ts <provider origin> <prefix>
 * [<cert file> <key file>]; `<prefix>/rest` is forwarded to `<provider origin>/rest`. With a
 * certificate it is the baseline of the mediator's TLS port: HTTPS with the same TLS settings,
 * asking every client for a certificate (so the handshakes cost the same) and checking none.
 */
const [origin = '', prefix = '', certFile, keyFile] = process.argv.slice(2);
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

const handle = (req: IncomingMessage, res: ServerResponse) => {
  const url = req.url ?? '/';
  if (!url.startsWith(prefix)) {
    res.writeHead(404).end();
    return;
  }
  request(`${origin}${url.slice(prefix.length)}`, { method: 'GET', dispatcher: agent, headers: { accept: req.headers.accept ?? '*/*' } })
    .then(async (answer) => {
      const body = Buffer.from(await answer.body.arrayBuffer());
      const type = answer.headers['content-type'];
      res.writeHead(answer.statusCode, { 'content-type': typeof type === 'string' ? type : 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    })
    .catch(() => { res.writeHead(502).end(); });
};
const tls = certFile !== undefined && keyFile !== undefined
  ? { cert: readFileSync(certFile), key: readFileSync(keyFile), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' as const }
  : undefined;
const server = tls ? createTlsServer(tls, handle) : createServer(handle);
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0, scheme: tls ? 'https' : 'http' });
});
process.once('SIGTERM', () => { server.close(() => process.exit(0)); void agent.close(); });
