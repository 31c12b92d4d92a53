// `promtool check metrics` (Debian's prometheus package) on exposition text: the format's own
// linter, the same parser Prometheus scrapes with. Missing promtool fails under CI=true.
import { spawn } from 'node:child_process';
import { findExecutable } from '../../fixtures/postfix/tools.js';

export const promtoolPath = findExecutable('promtool');
export const prometheusPath = findExecutable('prometheus');

export interface PromtoolCheck {
  code: number | null;
  output: string;
}

export function checkMetrics(text: string): Promise<PromtoolCheck> {
  if (!promtoolPath) throw new Error('promtool not found (apt-get install prometheus)');
  return new Promise((resolve, reject) => {
    const child = spawn(promtoolPath!, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(text);
  });
}
