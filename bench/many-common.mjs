// Shared by the many-target benchmarks (bench/many-*.mjs): a minimal STARTTLS SMTP server that
// can listen on many loopback addresses and ports, a latency-injecting TCP relay, and a runner
// that measures a child process with /usr/bin/time. Only 127.0.0.x is ever used.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export const ROOT = new URL('..', import.meta.url).pathname;
// MXPROBE_BIN: a private copy of the built CLI (npm run build starts with rm -rf dist).
export const BIN = process.env.MXPROBE_BIN ?? join(ROOT, 'bin/mxprobe.js');
// MXPROBE_NODE_ARGS: flags for the measured node process (e.g. --cpu-prof --cpu-prof-dir DIR).
const NODE_ARGS = (process.env.MXPROBE_NODE_ARGS ?? '').split(' ').filter(Boolean);

// Every temp dir made here goes when the benchmark process exits (process.exit included).
const tempDirs = new Set();
process.once('exit', () => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
function benchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** A self-signed ECDSA P-256 certificate (cheap handshakes: the server shares the CPU). */
export function makeCert() {
  const dir = benchDir('mxprobe-bench-');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '30', '-subj', '/CN=mx.bench.example', '-addext', 'subjectAltName=DNS:mx.bench.example'], { stdio: 'ignore' });
  return { dir, key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** The SMTP side: banner, EHLO (STARTTLS before TLS), STARTTLS, MAIL/RCPT/RSET 250, QUIT 221. */
export function smtpHandler(secureContext) {
  let sessions = 0;
  let open = 0;
  let maxOpen = 0;
  const handle = (socket) => {
    sessions++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    let closed = false;
    const done = () => {
      if (!closed) open--;
      closed = true;
    };
    socket.on('close', done);
    socket.on('error', () => socket.destroy());
    let stream = socket;
    let buf = '';
    let secure = false;
    const onData = (chunk) => {
      buf += chunk.toString('latin1');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') stream.write(`250-mx.bench.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n${secure ? '' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`);
        else if (verb === 'HELO') stream.write('250 mx.bench.example\r\n');
        else if (verb === 'STARTTLS' && !secure) {
          stream.write('220 2.0.0 Ready to start TLS\r\n');
          socket.removeListener('data', onData);
          buf = '';
          const t = new tls.TLSSocket(socket, { isServer: true, secureContext });
          t.on('error', () => socket.destroy());
          t.on('secure', () => {
            secure = true;
            stream = t;
            t.on('data', onData);
          });
          return;
        } else if (verb === 'QUIT') {
          stream.end('221 2.0.0 Bye\r\n');
          return;
        } else stream.write(['MAIL', 'RCPT', 'RSET', 'NOOP'].includes(verb) ? '250 2.0.0 Ok\r\n' : '502 5.5.2 Error\r\n');
      }
    };
    socket.on('data', onData);
    socket.setTimeout(30_000, () => socket.destroy());
    socket.write('220 mx.bench.example ESMTP bench\r\n');
  };
  return { handle, stats: () => ({ sessions, open, maxOpen }) };
}

/** Listens with `handler` on every (address, port); returns the servers. Ports are free ones. */
export async function listenMany(handler, addresses, portsPerAddress) {
  const servers = [];
  for (const address of addresses) {
    for (let i = 0; i < portsPerAddress; i++) {
      const s = net.createServer(handler);
      await new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, address, resolve);
      });
      servers.push({ server: s, address, port: s.address().port });
    }
  }
  return servers;
}

/**
 * A relay that adds `rttMs / 2` one-way delay to every chunk in each direction, and holds the
 * upstream connect for a round trip (the TCP handshake a real path would cost).
 * `connectDelayMs` (bench/relay.mjs: 1.5 RTT) changes that hold: on a real path the server
 * accepts 1.5 RTT after the client's SYN (SYN, SYN-ACK, ACK), so its banner arrives at 2 RTT.
 */
export function relayHandler(upstream, rttMs, { connectDelayMs = rttMs } = {}) {
  const oneWay = rttMs / 2;
  return (client) => {
    client.pause();
    client.on('error', () => {});
    setTimeout(() => {
      const server = net.connect(upstream.port, upstream.address);
      server.on('error', () => client.destroy());
      client.on('error', () => server.destroy());
      const pipe = (from, to) => {
        from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), oneWay));
        from.on('end', () => setTimeout(() => to.end(), oneWay));
        from.on('close', () => setTimeout(() => to.destroy(), oneWay + 5));
      };
      pipe(client, server);
      pipe(server, client);
      client.resume();
    }, connectDelayMs);
  };
}

/** Runs `node bin/mxprobe.js args` under /usr/bin/time: wall, CPU, peak RSS, lines on stdout. */
export function measure(args, { cwd = ROOT, command = [process.execPath, ...NODE_ARGS, BIN] } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', ...command, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let tail = '';
    let stderr = '';
    const statuses = {};
    child.stdout.setEncoding('utf8').on('data', (s) => {
      const parts = (tail + s).split('\n');
      tail = parts.pop();
      for (const l of parts) {
        if (!l) continue;
        lines++;
        const m = /"status":"(\w+)"/.exec(l);
        if (m) statuses[m[1]] = (statuses[m[1]] ?? 0) + 1;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        code, lines, statuses, wallMs,
        cpuS: m ? Number(m[2]) + Number(m[3]) : NaN,
        userS: m ? Number(m[2]) : NaN,
        sysS: m ? Number(m[3]) : NaN,
        maxRssMb: m ? Number(m[4]) / 1024 : NaN,
        stderr: stderr.replace(/TIME .*\n?/, ''),
      });
    });
  });
}

export function writeList(name, targets) {
  const file = join(benchDir('mxprobe-bench-list-'), name);
  writeFileSync(file, targets.join('\n') + '\n');
  return file;
}

export const fmt = (n, d = 1) => Number(n).toFixed(d);

/** Runs the CLI and returns its stdout (async: the servers live in this process's event loop). */
export function capture(args, command = [process.execPath, BIN]) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}
