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

export function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Parses JSON text strictly. A leading BOM is ignored (DESIGN.md: it changes nothing). */
export function parseStrictJSON(text: string, maxDepth = DEFAULT_MAX_DEPTH): StrictParseResult {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const parser = new Parser(source, maxDepth);
  try {
    return { ok: true, value: parser.parseDocument() };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    const { line, column } = lineAndColumn(source, error.offset);
    return { ok: false, problem: { message: error.message, line, column, pointer: error.pointer } };
  }
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

class Parser {
  private pos = 0;
  /** Keys and indexes from the root to the value being parsed; a pointer is built only on failure. */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): JSONValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private fail(message: string): never {
    const pointer = this.path.map((token) => `/${escapePointerToken(String(token))}`).join("");
    throw new ParseFailure(message, this.pos, pointer);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private parseValue(depth: number): JSONValue {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.parseObject(depth + 1);
      case "[":
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case "t":
        return this.parseLiteral("true", true);
      case "f":
        return this.parseLiteral("false", false);
      case "n":
        return this.parseLiteral("null", null);
      case undefined:
        return this.fail("unexpected end of input: a value was expected");
      default:
        return this.parseNumber();
    }
  }

  private parseLiteral<T extends JSONValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token: expected ${word}`);
    this.pos += word.length;
    return value;
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail("unexpected token: a JSON value was expected");
    const value = Number(match[0]);
    if (!Number.isFinite(value)) {
      this.fail(`the number ${match[0]} is not a finite double`);
    }
    this.pos += match[0].length;
    return value;
  }

  private parseString(): string {
    this.pos++; // opening quote
    let out = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail("a control character must be escaped in a string");
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(chunkStart, this.pos);
      const escape = this.text[this.pos + 1];
      if (escape === "u") {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape in a string");
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const simple = escape === undefined ? undefined : SIMPLE_ESCAPES[escape];
        if (simple === undefined) this.fail("bad escape in a string");
        out += simple;
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

  private parseArray(depth: number): JSONValue[] {
    this.enter(depth);
    const items: JSONValue[] = [];
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      this.path.push(items.length);
      items.push(this.parseValue(depth));
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return items;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or ] in an array");
      }
    }
  }

  private parseObject(depth: number): { [key: string]: JSONValue } {
    this.enter(depth);
    const result: { [key: string]: JSONValue } = {};
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail("expected a property name in double quotes");
      const keyOffset = this.pos;
      const key = this.parseString();
      this.path.push(key);
      if (Object.hasOwn(result, key)) {
        this.pos = keyOffset;
        this.fail(`duplicate key "${key}"`);
      }
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.fail("expected : after a property name");
      this.pos++;
      this.skipWhitespace();
      // defineProperty, so a key named __proto__ is data and never a prototype.
      Object.defineProperty(result, key, {
        value: this.parseValue(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "}") return result;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or } in an object");
      }
    }
  }
}
