import { createServer } from 'node:http';
import { Agent, request } from 'undici';

/**
 * The baseline of the mediator scenario: the least a proxy does. node:http in front, undici's
 * pooled keep-alive client behind (the same client and pool size the mediator forwards with),
 * no authentication, no access check, no log. Usage: bare-proxy.ts <provider origin> <prefix>;
 * `<prefix>/rest` is forwarded to `<provider origin>/rest`.
 */
const [origin = '', prefix = ''] = process.argv.slice(2);
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

const server = createServer((req, res) => {
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
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.once('SIGTERM', () => { server.close(() => process.exit(0)); void agent.close(); });
