// Shortens over-long tokens of a TOML document without moving anything else, for the
// position-keeping parser only: it builds each string, number and bare key with one
// function call per character as arguments, which overflows the stack past about
// 100,000 characters. Pure. The values change; every line and column stays put, and
// the document stays valid TOML, which is all the position index needs.

/** Far above any real token, far below where the parser overflows. */
export const LONG_TOKEN = 10_000;

const BARE = /[A-Za-z0-9_+\-.:]/;

/** Index just past the closing quote of the string opening at `start`. */
function stringEnd(source: string, start: number, quote: string): number {
  const multi = source.startsWith(quote.repeat(3), start);
  const basic = quote === '"';
  let i = start + (multi ? 3 : 1);
  while (i < source.length) {
    if (basic && source[i] === '\\') {
      i += 2;
    } else if (multi && source.startsWith(quote.repeat(3), i)) {
      // Up to two quotes may end the content right before the delimiter.
      let end = i + 3;
      while (end < source.length && end < i + 5 && source[end] === quote) end += 1;
      return end;
    } else if (!multi && source[i] === quote) {
      return i + 1;
    } else {
      i += 1;
    }
  }
  return source.length;
}

/** An over-long string as an empty one of the same kind, padded with the same line breaks
 * and, after it, as many spaces as its last line lost. */
function shortString(token: string, quote: string): string {
  const delimiter = token.startsWith(quote.repeat(3)) && token.length >= 6 ? quote.repeat(3) : quote;
  const body = token.slice(delimiter.length, token.length - delimiter.length);
  const breaks = body.replace(/[^\r\n]/g, '');
  const lastLine = token.length - (token.lastIndexOf('\n') + 1);
  if (breaks.length === 0) return `${delimiter}${delimiter}${' '.repeat(token.length - 2 * delimiter.length)}`;
  return `${delimiter}${breaks}${delimiter}${' '.repeat(Math.max(0, lastLine - delimiter.length))}`;
}

export function shortenLongTokens(source: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    let end = i + 1;
    let token = c;
    if (c === '#') {
      end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      token = source.slice(i, end);
    } else if (c === '"' || c === "'") {
      end = stringEnd(source, i, c);
      token = source.slice(i, end);
      if (token.length > LONG_TOKEN) token = shortString(token, c);
    } else if (BARE.test(c)) {
      while (end < source.length && BARE.test(source[end] ?? '')) end += 1;
      token = source.slice(i, end);
      if (token.length > LONG_TOKEN) token = `${/[0-9+-]/.test(c) ? '0' : 'k'}${' '.repeat(token.length - 1)}`;
    }
    parts.push(token);
    i = end;
  }
  return parts.join('');
}
