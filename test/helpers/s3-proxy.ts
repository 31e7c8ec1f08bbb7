import net from 'node:net';

/**
 * A TCP proxy between kickstart and an S3 gateway on 127.0.0.1 that lets
 * reads through, then, from the first upload request (PUT/POST) on, start
 * markers (`/attempts/`) aside, stops
 * (closes every connection and refuses new ones: the server gone
 * mid-upload), answers 503 to everything, cuts each connection after
 * 256 KiB, or throttles each connection to `bytesPerSecond`.
 */
export type Mode = 'stop' | 'errors' | 'cut' | 'slow';

export interface Proxy {
  port: number;
  armedAt?: number;
  close: () => Promise<void>;
}

const MiB = 1 << 20;

/** A data upload's first packet: a PUT or POST whose path is not a start marker's. */
function isUpload(c: Buffer): boolean {
  const line = c.subarray(0, 512).toString('latin1').split('\r\n', 1)[0];
  return /^(PUT|POST) /.test(line) && !line.includes('/attempts/');
}

export function proxy(upstreamPort: number, mode: Mode, bytesPerSecond = 4 * MiB): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const p: Proxy = { port: 0, close: async () => {} };
  let afterArm = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    const up = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(up);
    let sent = 0;
    const kill = () => {
      client.destroy();
      up.destroy();
    };
    client.on('error', kill);
    up.on('error', kill);
    client.on('close', kill);
    up.on('close', kill);
    up.on('data', (c: Buffer) => client.write(c));
    client.on('data', (c: Buffer) => {
      if (p.armedAt === undefined && isUpload(c)) p.armedAt = Date.now();
      if (p.armedAt === undefined) return void up.write(c);
      afterArm += c.length;
      sent += c.length;
      if (mode === 'stop' && afterArm > 1 * MiB) {
        server.close();
        for (const s of sockets) s.destroy();
        return;
      }
      if (mode === 'errors') {
        const body = '<?xml version="1.0"?><Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>';
        client.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        up.destroy();
        return;
      }
      if (mode === 'cut' && sent > 256 * 1024) return kill();
      if (mode === 'slow') {
        client.pause();
        up.write(c);
        setTimeout(() => client.resume(), (c.length / bytesPerSecond) * 1000);
        return;
      }
      up.write(c);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      p.port = (server.address() as net.AddressInfo).port;
      p.close = () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
          if (!server.listening) r();
        });
      resolve(p);
    });
  });
}
