// Where JSON text first goes wrong, as line/column. JSON.parse messages differ between engines and some carry no
// position at all ("Unexpected token 'a', ... is not valid JSON"), so a tiny validating scanner finds the offset.

export interface TextLocation {
  offset: number;
  line: number;
  column: number;
}

const MAX_DEPTH = 1000;

class Stop extends Error {
  constructor(readonly offset: number) {
    super('json error');
  }
}

/** Offset of the first character that makes `text` invalid JSON, or undefined if it is valid. */
export function findJsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (literal: string): void => {
    for (const ch of literal) {
      if (text[i] !== ch) throw new Stop(i);
      i++;
    }
  };
  const string = (): void => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) throw new Stop(i);
      if (text[i] === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new Stop(i);
          i += 5;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) throw new Stop(i);
      }
      i++;
    }
    expect('"');
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') throw new Stop(i);
    i += m[0].length;
  };
  // Deeper nesting than any task definition needs is reported where it starts, before the scanner's own
  // recursion could exhaust the call stack on hostile input.
  let depth = 0;
  const value = (): void => {
    ws();
    const ch = text[i];
    if ((ch === '{' || ch === '[') && depth >= MAX_DEPTH) throw new Stop(i);
    if (ch === '{' || ch === '[') {
      depth++;
      try {
        return container(ch);
      } finally {
        depth--;
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return expect('true');
    if (ch === 'f') return expect('false');
    if (ch === 'n') return expect('null');
    return number();
  };
  const container = (ch: string): void => {
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.offset, text.length);
    throw e;
  }
}

export function locate(text: string, offset: number): TextLocation {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { offset, line, column };
}
