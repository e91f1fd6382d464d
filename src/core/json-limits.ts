/**
 * A cheap pre-scan of untrusted JSON text before JSON.parse. Parsing builds
 * objects about 20× the size of the text: 100 MB of `[[[[…` or 1.3 M tiny
 * entries costs gigabytes and many seconds before any validation runs. One
 * pass over the characters (no allocation) bounds nesting depth and the
 * number of values first.
 */

export interface JsonLimits {
  /** Deepest allowed nesting of arrays/objects (the top-level value is depth 1). */
  maxDepth: number;
  /** Most values in all containers together (array elements + object members). */
  maxValues: number;
  /** Most members of the top-level container (e.g. tensors of a safetensors header). */
  maxTopLevel?: number;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;

/**
 * Undefined when `text` stays within `limits`, else what exceeded them. Malformed
 * JSON is not judged here (JSON.parse reports it); only its size is.
 */
export function jsonLimitViolation(text: string, limits: JsonLimits): string | undefined {
  let depth = 0;
  let values = 0;
  let topLevel = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (++depth > limits.maxDepth) return `nests deeper than ${limits.maxDepth} levels (at character ${i})`;
      // An opening bracket starts a container's first value (if it has one); commas count the rest.
      if (++values > limits.maxValues) return `holds more than ${limits.maxValues} values`;
      if (depth === 1) topLevel = 1;
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) depth--;
    else if (c === COMMA) {
      if (++values > limits.maxValues) return `holds more than ${limits.maxValues} values`;
      if (depth === 1 && limits.maxTopLevel !== undefined && ++topLevel > limits.maxTopLevel) return `has more than ${limits.maxTopLevel} top-level entries`;
    }
  }
  return undefined;
}
