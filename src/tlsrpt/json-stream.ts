// A streaming JSON reader for one shape: an object whose members are read one by one, and whose
// array members named in `streamArrays` are read element by element (RFC 8460 reports: the
// `policies` array). Memory is bounded whatever the input size: a member or element larger than
// its budget is skipped (reported as such) instead of built, strings are capped, and nesting is
// capped. Syntax follows RFC 8259; an error names the character offset.

export class JsonStreamError extends Error {}

export interface JsonStreamHandlers {
  /** A member of the top-level object; `value` undefined when it was over budget (`skipped` says why). */
  member(key: string, value: unknown, skipped?: string): void;
  /** One element of a streamed array member. */
  element(key: string, index: number, value: unknown, skipped?: string): void;
  /** A streamed array member ended, after `count` elements. */
  arrayEnd?(key: string, count: number): void;
}

export interface JsonStreamOptions {
  /** Array members of the top-level object read element by element. */
  streamArrays: string[];
  /** Budget of a top-level member, or of one streamed element, in characters (roughly). */
  memberBudget: number;
  elementBudget: number;
  /** Longest string kept; a longer one is an error (default 1 MiB). */
  maxString?: number;
  maxDepth?: number;
}

interface Budget { left: number; exceeded: boolean }

interface Frame {
  kind: 'object' | 'array';
  /** The value being built, or null when not kept (root, streamed array, over budget). */
  value: Record<string, unknown> | unknown[] | null;
  key: string | null;
  index: number;
  /** object: expecting a key next / a colon / a value / a comma or end. */
  state: 'key-or-end' | 'key' | 'colon' | 'value' | 'value-or-end' | 'comma-or-end';
  budget: Budget | null;
  /** A top-level array read element by element. */
  streamed: boolean;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

export class JsonStream {
  private readonly stack: Frame[] = [];
  private offset = 0;
  private done = false;
  private rootSeen = false;
  /** A token cut by a chunk boundary: an unfinished string (with its escapes) or bare word. */
  private pending = '';
  private pendingKind: 'string' | 'word' | null = null;
  private readonly maxString: number;
  private readonly maxDepth: number;

  constructor(private readonly h: JsonStreamHandlers, private readonly o: JsonStreamOptions) {
    this.maxString = o.maxString ?? 1024 * 1024;
    this.maxDepth = o.maxDepth ?? 64;
  }

  private fail(message: string): never {
    throw new JsonStreamError(`invalid JSON at character ${this.offset}: ${message}`);
  }

  write(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.pendingKind === 'string') {
        i = this.continueString(chunk, i);
        continue;
      }
      if (this.pendingKind === 'word') {
        let j = i;
        while (j < n && /[A-Za-z0-9.+\-]/.test(chunk[j])) j++;
        this.pending += chunk.slice(i, j);
        this.offset += j - i;
        if (this.pending.length > 64) this.fail('number or literal too long');
        i = j;
        if (j < n) this.finishWord();
        continue;
      }
      const c = chunk[i];
      if (WS.has(c)) {
        i++;
        this.offset++;
        continue;
      }
      if (this.done) this.fail('data after the end of the document');
      if (c === '"') {
        this.pendingKind = 'string';
        this.pending = '';
        i++;
        this.offset++;
        continue;
      }
      if (c === '{' || c === '[') this.open(c === '{' ? 'object' : 'array');
      else if (c === '}' || c === ']') this.close(c === '}' ? 'object' : 'array');
      else if (c === ':') this.colon();
      else if (c === ',') this.comma();
      else if (/[-0-9tfn]/.test(c)) {
        this.pendingKind = 'word';
        this.pending = '';
        continue;
      } else this.fail(`unexpected ${JSON.stringify(c)}`);
      i++;
      this.offset++;
    }
  }

  end(): void {
    if (this.pendingKind === 'word') this.finishWord();
    if (this.pendingKind === 'string') this.fail('unterminated string');
    if (!this.rootSeen) this.fail('empty document');
    if (!this.done) this.fail('unexpected end of the document');
  }

  /** Reads string characters from `i`; returns the index after what it consumed. */
  private continueString(chunk: string, i: number): number {
    const start = i;
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (c === 0x22 && !endsInEscape(this.pending + chunk.slice(start, i))) break;
      if (c < 0x20) {
        this.offset += i - start;
        this.fail('control character in a string');
      }
      i++;
    }
    this.pending += chunk.slice(start, i);
    this.offset += i - start;
    if (this.pending.length > this.maxString) this.fail(`string longer than ${this.maxString} characters`);
    if (i < n) {
      // The closing quote.
      this.offset++;
      let text: string;
      try {
        text = JSON.parse(`"${this.pending}"`) as string;
      } catch {
        this.fail('bad escape in a string');
      }
      this.pendingKind = null;
      this.pending = '';
      this.stringToken(text);
      return i + 1;
    }
    return i;
  }

  private finishWord(): void {
    const w = this.pending;
    this.pendingKind = null;
    this.pending = '';
    let v: unknown;
    if (w === 'true') v = true;
    else if (w === 'false') v = false;
    else if (w === 'null') v = null;
    else if (NUMBER.test(w)) v = Number(w);
    else this.fail(`unexpected ${JSON.stringify(w.slice(0, 20))}`);
    this.scalar(v, 8);
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private stringToken(text: string): void {
    const f = this.top();
    if (f?.kind === 'object' && (f.state === 'key-or-end' || f.state === 'key')) {
      f.key = text;
      f.state = 'colon';
      return;
    }
    this.scalar(text, text.length + 8);
  }

  private expectValue(): Frame | undefined {
    const f = this.top();
    if (!f) {
      if (this.rootSeen) this.fail('data after the end of the document');
      return undefined;
    }
    if (f.kind === 'object' && f.state !== 'value') this.fail(f.state === 'colon' ? "expected ':'" : 'expected a member name');
    if (f.kind === 'array' && f.state !== 'value' && f.state !== 'value-or-end') this.fail("expected ',' or ']'");
    return f;
  }

  private charge(f: Frame | undefined, cost: number): void {
    const b = f?.budget;
    if (!b || b.exceeded) return;
    b.left -= cost;
    if (b.left < 0) b.exceeded = true;
  }

  private scalar(v: unknown, cost: number): void {
    const f = this.expectValue();
    if (!f) this.fail('the document is not a JSON object');
    this.charge(f, cost);
    this.completeValue(f, v, f.budget?.exceeded ?? false);
  }

  private open(kind: 'object' | 'array'): void {
    const parent = this.expectValue();
    if (this.stack.length >= this.maxDepth) this.fail(`nested deeper than ${this.maxDepth}`);
    if (!parent) {
      if (kind !== 'object') this.fail('the document is not a JSON object');
      this.rootSeen = true;
      this.stack.push({ kind, value: null, key: null, index: 0, state: 'key-or-end', budget: null, streamed: false });
      return;
    }
    let budget = parent.budget;
    let streamed = false;
    const isRoot = this.stack.length === 1;
    if (isRoot && kind === 'array' && this.o.streamArrays.includes(parent.key!)) streamed = true;
    else if (isRoot) {
      budget = { left: this.o.memberBudget, exceeded: false };
    } else if (parent.streamed) {
      budget = { left: this.o.elementBudget, exceeded: false };
    }
    this.charge({ budget } as Frame, 16);
    const keep = !streamed && !(budget?.exceeded ?? false);
    this.stack.push({
      kind, value: keep ? (kind === 'object' ? {} : []) : null, key: null, index: 0,
      state: kind === 'object' ? 'key-or-end' : 'value-or-end', budget, streamed,
    });
  }

  private close(kind: 'object' | 'array'): void {
    const f = this.top();
    if (!f || f.kind !== kind) this.fail(`unexpected '${kind === 'object' ? '}' : ']'}'`);
    if (f.kind === 'object' && f.state !== 'key-or-end' && f.state !== 'comma-or-end') this.fail("unexpected '}'");
    if (f.kind === 'array' && f.state !== 'value-or-end' && f.state !== 'comma-or-end') this.fail("unexpected ']'");
    this.stack.pop();
    const parent = this.top();
    if (!parent) {
      this.done = true;
      return;
    }
    if (f.streamed) {
      this.h.arrayEnd?.(parent.key!, f.index);
      this.afterValue(parent);
      return;
    }
    const over = f.budget?.exceeded ?? false;
    this.completeValue(parent, over ? undefined : f.value, over);
  }

  /** A value is complete inside `f`: hand it to the handler or store it in its container. */
  private completeValue(f: Frame, v: unknown, over: boolean): void {
    const isRoot = this.stack.length === 1;
    if (isRoot) {
      const budget = this.o.memberBudget;
      this.h.member(f.key!, over ? undefined : v, over ? `larger than ${budget} characters, skipped` : undefined);
    } else if (f.streamed) {
      this.h.element(this.stack[0].key!, f.index, over ? undefined : v, over ? `larger than ${this.o.elementBudget} characters, skipped` : undefined);
      f.index++;
    } else if (f.value !== null && !over) {
      if (f.kind === 'object') (f.value as Record<string, unknown>)[f.key!] = v;
      else (f.value as unknown[]).push(v);
    }
    this.afterValue(f);
  }

  private afterValue(f: Frame): void {
    f.state = 'comma-or-end';
  }

  private colon(): void {
    const f = this.top();
    if (!f || f.kind !== 'object' || f.state !== 'colon') this.fail("unexpected ':'");
    f.state = 'value';
  }

  private comma(): void {
    const f = this.top();
    if (!f || f.state !== 'comma-or-end') this.fail("unexpected ','");
    f.state = f.kind === 'object' ? 'key' : 'value';
  }
}

/** An odd number of backslashes before the end: the next quote is escaped. */
function endsInEscape(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s.charCodeAt(i) === 0x5c; i--) n++;
  return n % 2 === 1;
}
