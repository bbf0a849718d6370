// How untrusted text (names, ARNs, valueFrom, tags, stop reasons: anything from a task definition, a tag or an event)
// goes into a Slack message, one function per context. Slack mrkdwn has no escape for `*`, `_`, `~` or a backtick,
// only for `&`, `<` and `>`; inside code (inline or a ``` block) nothing formats, links, mentions or renders emoji,
// and only a backtick or a line break can end it. So untrusted values always render as code: `&<>` escaped,
// backticks and line breaks replaced by look-alikes that cannot close it, invisible and bidi characters shown.
// Leash's own words stay mrkdwn around them.

/** Zero-width, bidi-control and other invisible or control characters: shown as `⟨U+XXXX⟩`, never passed on. */
// Built from a string: the class holds control characters on purpose (lint rejects them in a literal).
const INVISIBLE = new RegExp(
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f' +
    '\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}]',
  'gu',
);
/** Anything that starts a new line in Slack (which would end an inline code span or fake a diff line). */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/g;
/** U+02CB MODIFIER LETTER GRAVE ACCENT: looks like a backtick, closes no code span. */
const BACKTICK_LOOKALIKE = '\u02cb';
const LINE_BREAK_MARK = ' \u23ce ';

const codePoint = (c: string) => `\u27e8U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}\u27e9`;

/** Slack's three control characters, for every context (mrkdwn, code and the notification `text`). */
function escapeControl(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One line of untrusted text inside a ``` block or an inline code span: it cannot end the code or start a line. */
export function slackCode(value: string): string {
  return escapeControl(value.replace(LINE_BREAK, LINE_BREAK_MARK).replace(INVISIBLE, codePoint)).replace(/`/g, BACKTICK_LOOKALIKE);
}

/** An untrusted value inside Leash's mrkdwn: always inline code, so `*bold*`, links, mentions and emoji stay text. */
export function slackValue(value: string): string {
  const code = slackCode(value);
  return code.trim() ? `\`${code}\`` : '`(empty)`';
}

/** Text for a `plain_text` object (headers, buttons): never formatted, but one line, visible characters only. */
export function slackPlain(value: string): string {
  return escapeControl(value.replace(LINE_BREAK, ' ').replace(INVISIBLE, codePoint));
}

/**
 * The message's notification `text`, which Slack reads as mrkdwn but where code would show its backticks: formatting
 * characters become look-alikes.
 */
export function slackFallback(value: string): string {
  return slackPlain(value).replace(/`/g, BACKTICK_LOOKALIKE).replace(/\*/g, '\u2217').replace(/_/g, '\u02cd').replace(/~/g, '\u02dc');
}

/** A timestamp: shown as it is when it is a plain ISO-8601 instant, as a value otherwise (evidence times are data). */
export function slackTime(at: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(at) ? at : slackValue(at);
}
