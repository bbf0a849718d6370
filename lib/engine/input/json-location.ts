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

// --- where a JSON path is in the text (for annotations on the file a pipeline registers) ---

type Segment = string | number;

/** `$.a["b-c"][2].d` → ['a', 'b-c', 2, 'd']; undefined for anything else. */
export function pathSegments(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const out: Segment[] = [];
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] as string) as string);
  }
  return out;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  return i;
}

/** Index just after the string that starts at `i`. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index just after the value that starts at `i` (iterative: nesting depth does not matter). */
function valueEnd(text: string, i: number): number {
  const ch = text[i];
  if (ch === '"') return stringEnd(text, i);
  if (ch !== '{' && ch !== '[') {
    let j = i;
    while (j < text.length && !',}] \t\n\r'.includes(text[j] as string)) j++;
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text[j];
    if (c === '"') {
      j = stringEnd(text, j);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return j;
}

/** Offset of the value at `path` in valid JSON `text`; when a step is absent, the offset of the deepest value found. */
export function offsetOfPath(text: string, path: string): number {
  const segments = pathSegments(path) ?? [];
  let at = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  for (const seg of segments) {
    const open = text[at];
    let found: number | undefined;
    if (typeof seg === 'string' && open === '{') {
      let i = skipWs(text, at + 1);
      while (i < text.length && text[i] === '"') {
        const end = stringEnd(text, i);
        let key: string | undefined;
        try {
          key = JSON.parse(text.slice(i, end)) as string;
        } catch {
          return at;
        }
        i = skipWs(text, skipWs(text, end) + 1);
        if (key === seg) {
          found = i;
          break;
        }
        i = skipWs(text, valueEnd(text, i));
        if (text[i] !== ',') break;
        i = skipWs(text, i + 1);
      }
    } else if (typeof seg === 'number' && open === '[') {
      let i = skipWs(text, at + 1);
      for (let k = 0; i < text.length && text[i] !== ']'; k++) {
        if (k === seg) {
          found = i;
          break;
        }
        i = skipWs(text, valueEnd(text, i));
        if (text[i] !== ',') break;
        i = skipWs(text, i + 1);
      }
    }
    if (found === undefined) return at;
    at = found;
  }
  return at;
}
