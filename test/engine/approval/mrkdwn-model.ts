// A small model of how Slack reads mrkdwn, for the tests: which characters are inside code (a ``` block, or an inline
// `span` on one line), where nothing formats, links or mentions, and which are outside, where everything does.

/** The text outside every code block and inline code span, as Slack would format it. */
export function outsideCode(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('```', i)) {
      const end = text.indexOf('```', i + 3);
      if (end < 0) return out + text.slice(i); // an unclosed fence formats nothing: all of it is outside
      i = end + 3;
      continue;
    }
    if (text[i] === '`') {
      const nl = text.indexOf('\n', i + 1);
      const end = text.indexOf('`', i + 1);
      if (end > i + 1 && (nl < 0 || end < nl)) {
        i = end + 1;
        continue;
      }
    }
    out += text[i];
    i += 1;
  }
  return out;
}

/** What Slack shows for Leash's escapes (the three entities). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
