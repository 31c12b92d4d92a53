// The private Postfix fixture itself: it stops without leftovers, and a failed start says which
// and why in one line (with `postfix check` output) and leaves nothing running.
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { PostfixStartError, processesOf, startPostfix } from '../../fixtures/postfix/instance.js';
import { describePostfix } from './guard.js';

/** Pids of processes whose MAIL_CONFIG (set by postfix for master and its children) is under dir. */

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describePostfix('private Postfix fixture', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });

  it('starts, serves, and stop() leaves no process, no port and no directory', async () => {
    const pf = await startPostfix({ pki, scenarios: ['good', 'implicit'] });
    expect(pf.startMs).toBeLessThan(10_000);
    expect(processesOf(pf.dir)).toContain(pf.masterPid);
    expect(await refused(pf.services.good.port)).toBe(false);
    // master logs through the postlog service: the line reaches maillog a moment after start.
    await expect.poll(() => pf.log(), { timeout: 3_000, interval: 50 }).toMatch(/daemon started -- version \S+, configuration /);
    await pf.stop();
    expect(processesOf(pf.dir)).toEqual([]);
    expect(existsSync(pf.dir)).toBe(false);
    expect(await refused(pf.services.good.port)).toBe(true);
    expect(await refused(pf.services.implicit.port)).toBe(true);
  });

  describe('a start that fails', () => {
    let squatter: Server;
    let port: number;
    beforeAll(async () => {
      squatter = createServer();
      await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
      port = (squatter.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => squatter.close(() => r())));

    async function failure(opts: Parameters<typeof startPostfix>[0]): Promise<PostfixStartError> {
      const err = await startPostfix(opts).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PostfixStartError);
      const e = err as PostfixStartError;
      expect(e.message).not.toContain('\n');
      // nothing left: the instance directory is gone and no process belongs to it
      const dir = e.message.match(/\/tmp\/mxprobe-postfix-\w+/)?.[0];
      expect(dir).toBeTruthy();
      expect(existsSync(dir!)).toBe(false);
      expect(processesOf(dir!)).toEqual([]);
      return e;
    }

    it('port taken: says which port and why', async () => {
      const e = await failure({ pki, scenarios: ['good', 'tls12'], ports: { tls12: port } });
      expect(e.message).toContain(`bind 127.0.0.1 port ${port}: Address already in use`);
      expect(e.message).toContain('postfix check');
    });

    it('config error: carries postfix check output', async () => {
      const e = await failure({ pki, scenarios: ['good'], mainCfExtra: 'inet_interfaces = 192.0.2.1\n' });
      expect(e.message).toMatch(/postfix check: .*no local interface found for 192\.0\.2\.1/);
    });
  });
});
