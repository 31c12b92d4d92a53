// Whole lines to stdout, gathered for one write per event-loop turn: with hundreds of probes
// finishing together, one write syscall per result costs more than the rest of the output path.
// Only whole lines are ever written, so a crash or Ctrl-C never leaves half an NDJSON line.
export interface BatchedWriter {
  /** Queue whole lines (the text ends in "\n"). */
  emit(text: string): void;
  /** Write what is queued now. */
  flush(): void;
}

export function batchedWriter(out: { write(text: string): unknown }, beforeWrite: () => void = () => {}): BatchedWriter {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    beforeWrite();
    out.write(pending);
    pending = '';
  };
  return {
    emit(text) {
      if (pending === '') setImmediate(flush);
      pending += text;
    },
    flush,
  };
}
