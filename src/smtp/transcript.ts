import type { TranscriptEntry } from '../types.js';

/** The -v transcript: what went over the wire, with ms since the probe began. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  constructor(private readonly started: number) {}

  add(dir: TranscriptEntry['dir'], line: string): void {
    this.entries.push({ t: Math.round(performance.now() - this.started), dir, line });
  }
}
