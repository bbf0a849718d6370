// What an error's text may carry into a log line: its shape, never a credential. Error messages are written by
// libraries (an HTTP client echoing a URL, a parser quoting its input), so they are scrubbed here whatever threw:
// approval links and their tokens, Slack signatures, bot tokens and request bodies; plus any exact values the
// handler knows are secret for this request (the path's token, the signature header, the body).

const PATTERNS: [RegExp, string][] = [
  [/\/approve\/(?!\[redacted\])[^\s"'<>()[\]]*/g, '/approve/[redacted]'],
  [/\bv0=[0-9a-f]{8,}/gi, 'v0=[redacted]'],
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/\bpayload=[^\s"']*/g, 'payload=[redacted]'],
  // A link token (base64url claims '.' base64url MAC), or any long base64/hex run: nothing a person needs to read.
  [/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, '[redacted]'],
  [/[A-Za-z0-9+/_-]{40,}={0,2}/g, '[redacted]'],
];

/** Removes every exact secret (and any fragment of it of 12 characters or more) and every token-shaped run. */
export function redact(text: string, secrets: string[] = []): string {
  let out = text;
  for (const s of secrets.filter((x) => x.length >= 8).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join('[redacted]');
    for (const part of s.split(/[.=&/]/).filter((p) => p.length >= 12)) out = out.split(part).join('[redacted]');
  }
  for (const [re, by] of PATTERNS) out = out.replace(re, by);
  return out;
}
