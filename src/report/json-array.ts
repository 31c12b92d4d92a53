// --format json for a run of any length: the same bytes toJson(results) writes (json.ts), one
// element at a time as each result is ready, so nothing is held until the end of the run.
import { jsonReplacer } from './json.js';
import { safeJson } from './sanitize.js';

export class JsonArrayStream {
  private items = 0;

  /** The text that puts `value` into the array. */
  item(value: unknown): string {
    // JSON strings hold no raw newline: indenting every line indents the element as a whole.
    const text = `  ${safeJson(JSON.stringify(value, jsonReplacer, 2)).replace(/\n/g, '\n  ')}`;
    return `${this.items++ === 0 ? '[\n' : ',\n'}${text}`;
  }

  /** The text that closes the array (an empty one when no item came). */
  end(): string {
    return this.items === 0 ? '[]\n' : '\n]\n';
  }
}
