// A strict RFC 8259 parser. JSON.parse accepts duplicate keys (last wins) and turns 1e400
// into Infinity; evidence must not mean two things, so both are refused here, with the line,
// column and JSON pointer of the problem.

export type JSONValue =
  null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

export type JSONSyntaxProblem = {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** Where in the document the problem is, as a JSON pointer (RFC 6901). */
  readonly pointer: string;
};

export type StrictParseResult =
  | { readonly ok: true; readonly value: JSONValue }
  | { readonly ok: false; readonly problem: JSONSyntaxProblem };

export const DEFAULT_MAX_DEPTH = 64;

class ParseFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly pointer: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Longer keys and numbers are cut in a problem's message and pointer: the input may be hostile. */
const SHOWN_CHARS = 64;

function clip(text: string): string {
  return text.length <= SHOWN_CHARS
    ? text
    : `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)`;
}

/**
 * Parses JSON text strictly. A leading BOM is ignored (DESIGN.md: it changes nothing).
 *
 * Two steps: a checker walks the text once without building anything and refuses what
 * JSON.parse would let through (duplicate keys, numbers that are not finite doubles, nesting
 * too deep); then JSON.parse, which on every text the checker accepts means exactly the same,
 * builds the value. Its strings are copies, not slices of the text, so a large manifest's text
 * is not kept alive by the values taken from it, and it is several times faster than building
 * the value here.
 */
export function parseStrictJSON(text: string, maxDepth = DEFAULT_MAX_DEPTH): StrictParseResult {
  const checked = checkStrictJSON(text, maxDepth);
  if (!checked.ok) return checked;
  return { ok: true, value: JSON.parse(checked.source) as JSONValue };
}

export type LeavingParseResult =
  | {
      readonly ok: true;
      readonly value: JSONValue;
      /** The members left unparsed, as their JSON text: slices of the text, not copies. */
      readonly left: ReadonlyMap<string, string>;
    }
  | { readonly ok: false; readonly problem: JSONSyntaxProblem };

/**
 * parseStrictJSON, except that the named members of the root object are left unparsed, as
 * their JSON text. For a member too large to hold twice: a DSSE envelope's payload is nearly
 * all of it, and its caller decodes it straight from the text. A root that is not an object is
 * parsed whole.
 */
export function parseStrictJSONLeaving(
  text: string,
  leave: readonly string[],
  maxDepth = DEFAULT_MAX_DEPTH,
): LeavingParseResult {
  const checked = checkStrictJSON(text, maxDepth);
  if (!checked.ok) return checked;
  const { source, members } = checked;
  // No members: the root is {} or not an object.
  if (members.length === 0)
    return { ok: true, value: JSON.parse(source) as JSONValue, left: new Map() };
  const value: { [key: string]: JSONValue } = {};
  const left = new Map<string, string>();
  for (const { key, start, end } of members) {
    const json = source.slice(start, end);
    if (leave.includes(key)) left.set(key, json);
    // defineProperty, as JSON.parse does: a "__proto__" member is data, never a prototype.
    else
      Object.defineProperty(value, key, {
        value: JSON.parse(json) as JSONValue,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return { ok: true, value, left };
}

/** The text without a leading BOM (DESIGN.md: it changes nothing), checked. */
function checkStrictJSON(
  text: string,
  maxDepth: number,
):
  | { readonly ok: true; readonly source: string; readonly members: readonly MemberSpan[] }
  | { readonly ok: false; readonly problem: JSONSyntaxProblem } {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const checker = new Checker(source, maxDepth);
  try {
    checker.checkDocument();
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    const { line, column } = lineAndColumn(source, error.offset);
    return { ok: false, problem: { message: error.message, line, column, pointer: error.pointer } };
  }
  return { ok: true, source, members: checker.members };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Objects with more keys than this find duplicates with a Set instead of a scan of an array. */
const KEYS_BEFORE_SET = 8;

/** Where a member of the root object is: its key, and its value as offsets into the text. */
type MemberSpan = { readonly key: string; readonly start: number; readonly end: number };

class Checker {
  private pos = 0;
  /** Keys and indexes from the root to the value being checked; a pointer is built only on failure. */
  private readonly path: (string | number)[] = [];
  /** The members of the root, when it is an object, in order. */
  readonly members: MemberSpan[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  checkDocument(): void {
    this.skipWhitespace();
    this.checkValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
  }

  private fail(message: string): never {
    const pointer = this.path
      .map((token) => `/${escapePointerToken(clip(String(token)))}`)
      .join("");
    throw new ParseFailure(message, this.pos, pointer);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private checkValue(depth: number): void {
    const c = this.text[this.pos];
    if (c === "{") this.checkObject(depth + 1);
    else if (c === "[") this.checkArray(depth + 1);
    else if (c === '"') this.readString(false);
    else if (c === "t") this.checkLiteral("true");
    else if (c === "f") this.checkLiteral("false");
    else if (c === "n") this.checkLiteral("null");
    else if (c === undefined) this.fail("unexpected end of input: a value was expected");
    else this.checkNumber();
  }

  private checkLiteral(word: string): void {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token: expected ${word}`);
    this.pos += word.length;
  }

  private checkNumber(): void {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail("unexpected token: a JSON value was expected");
    if (!Number.isFinite(Number(match[0]))) {
      this.fail(`the number ${clip(match[0])} is not a finite double`);
    }
    this.pos += match[0].length;
  }

  /** Checks a string; with `decode`, also returns its value (property names, for duplicates). */
  private readString(decode: boolean): string {
    this.pos++; // opening quote
    let out = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        if (decode) out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail("a control character must be escaped in a string");
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      if (decode) out += this.text.slice(chunkStart, this.pos);
      const escape = this.text[this.pos + 1];
      if (escape === "u") {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape in a string");
        if (decode) out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const simple = escape === undefined ? undefined : SIMPLE_ESCAPES[escape];
        if (simple === undefined) this.fail("bad escape in a string");
        if (decode) out += simple;
        this.pos += 2;
      }
      chunkStart = this.pos;
    }
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    this.pos++;
    this.skipWhitespace();
  }

  private checkArray(depth: number): void {
    this.enter(depth);
    if (this.text[this.pos] === "]") {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipWhitespace();
      this.path.push(index);
      this.checkValue(depth);
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or ] in an array");
      }
    }
  }

  private checkObject(depth: number): void {
    this.enter(depth);
    if (this.text[this.pos] === "}") {
      this.pos++;
      return;
    }
    const keys: string[] = [];
    let keySet: Set<string> | null = null;
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail("expected a property name in double quotes");
      const keyOffset = this.pos;
      const key = this.readString(true);
      this.path.push(key);
      if (keySet === null ? keys.includes(key) : keySet.has(key)) {
        this.pos = keyOffset;
        this.fail(`duplicate key "${clip(key)}"`);
      }
      if (keySet !== null) keySet.add(key);
      else if (keys.push(key) > KEYS_BEFORE_SET) keySet = new Set(keys);
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.fail("expected : after a property name");
      this.pos++;
      this.skipWhitespace();
      const start = this.pos;
      this.checkValue(depth);
      if (depth === 1) this.members.push({ key, start, end: this.pos });
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "}") return;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or } in an object");
      }
    }
  }
}
