// Preloaded with `node -r ./bench/phase-hook.cjs ...` (CommonJS: cheaper than --import) by
// bench/phases.mjs. Records in ms since the process started (performance.now()): when this hook
// ran (≈ Node's own startup), the first TCP connect() call (≈ + our module loading and set-up),
// that socket's 'close' (the conversation), and process exit (teardown). One JSON line to fd 3.
'use strict';
const net = require('node:net');
const { writeSync } = require('node:fs');

const marks = { hook: performance.now() };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  if (marks.connect === undefined) {
    marks.connect = performance.now();
    this.once('close', () => (marks.close ??= performance.now()));
    // mxprobe destroys its socket and may exit before 'close' is emitted: mark the destroy too.
    const destroy = this.destroy;
    this.destroy = function (...a) {
      marks.close ??= performance.now();
      return destroy.apply(this, a);
    };
  }
  return connect.apply(this, args);
};
process.on('exit', () => {
  marks.exit = performance.now();
  marks.close ??= marks.exit;
  const line = `${JSON.stringify(marks)}\n`;
  try { writeSync(3, line); } catch { writeSync(2, line); }
});
