// --output FILE: a reader (node_exporter's textfile collector, a web server serving the HTML
// report) must never see half a file. Written to a temporary file in the same directory (same
// file system, so rename(2) is atomic: POSIX rename()), flushed, then renamed over the target.
// The temporary name does not end in ".prom": the textfile collector reads only *.prom files.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/** Replaces `path` with `text` in one step; a failure leaves the old file and no temporary. */
export function writeFileAtomic(path: string, text: string | Buffer, mode = 0o644): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx', mode);
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`--output ${path}: cannot write: ${code}`);
  }
}
