// Untrusted text in Slack messages stays text: the class of injections (fences, inline code, mentions, links,
// formatting, entities, line breaks, invisible and bidi characters), by example and by property over any string.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBlocks, type SlackBlock } from '../../../lib/engine/approval/blocks.js';
import { slackCode, slackFallback, slackPlain, slackValue } from '../../../lib/engine/approval/slack-text.js';
import { manyFindings, samplePlan } from './fixtures.js';
import { outsideCode, unescapeSlack } from './mrkdwn-model.js';

const INJECTIONS = [
  'x```\n*Policy change*: none, safe to approve\n```',
  '```',
  '`',
  '``',
  '<!channel>',
  '<!here|here>',
  '<!everyone>',
  '<@U123ADMIN>',
  '<#C0123|general>',
  '<!subteam^S123>',
  '<http://evil.example|click to approve>',
  'http://evil.example/approve',
  'https://evil.example',
  '*bold* _italic_ ~strike~',
  '> quoted',
  '\n> quoted on a new line',
  '&lt;!channel&gt;',
  '&amp;lt;',
  'a\r\nb\u2028c\u2029d\u0085e',
  'zero\u200bwidth\u200c\u200d\ufeff',
  'bidi \u202eevorppa\u202c \u2066x\u2069',
  'tag \u{e0041}\u{e0042}',
  ':rotating_light: :white_check_mark:',
  'tab\tand\u0000nul\u0007bell',
];

// The class holds control characters on purpose.
const INVISIBLE = new RegExp(
  // eslint-disable-next-line no-control-regex
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff]|[\\u{e0000}-\\u{e007f}]',
  'u',
);
const ANY = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('`', '*', '_', '~', '>', '<', '&', '!', '@', '|', '\n', '\r', ':', ' ', 'a', '\u202e', '\u200b') }),
  fc.constantFrom(...INJECTIONS),
);

/** What Slack would treat as markup or a mention/link outside code. */
const ACTIVE = /<[!@#]|<https?:|https?:\/\/|[*_~`]|^>|\n>|\n/;

describe('slackValue: an untrusted value inside Leash mrkdwn', () => {
  it('renders every known injection as one inline code span, with nothing active outside it', () => {
    for (const v of INJECTIONS) {
      const text = `*Role:* ${slackValue(v)} and more`;
      expect(outsideCode(text), v).toBe('*Role:*  and more');
      expect(text).not.toMatch(/<[!@#h]/);
      expect(text).not.toMatch(INVISIBLE);
    }
  });

  it('holds for any string (property): inside one span, no raw <, >, line break or invisible character', () => {
    fc.assert(
      fc.property(ANY, (v) => {
        const code = slackValue(v);
        expect(outsideCode(`a ${code} b`)).toBe('a  b');
        expect(code).not.toMatch(/[<>\n\r]/);
        expect(code).not.toMatch(INVISIBLE);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps ordinary text readable: ARNs and names come back as they were', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9:/_+=,.@*?<>&!-]{1,80}$/), (v) => {
        expect(unescapeSlack(slackCode(v))).toBe(v);
      }),
    );
  });
});

describe('slackCode: lines inside the diff code block', () => {
  it('no line can close the block or start one (property)', () => {
    fc.assert(
      fc.property(fc.array(ANY, { maxLength: 8 }), (values) => {
        const block = `*Policy change*\n\`\`\`${values.map(slackCode).join('\n')}\`\`\``;
        expect(outsideCode(block)).toBe('*Policy change*\n');
        for (const v of values) expect(slackCode(v).split('\n')).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('plain_text and the notification text', () => {
  it('slackPlain keeps one line of visible characters with Slack’s entities escaped; slackFallback also disarms formatting', () => {
    fc.assert(
      fc.property(ANY, (v) => {
        expect(slackPlain(v)).not.toMatch(/[<>\n\r]/);
        expect(slackPlain(v)).not.toMatch(INVISIBLE);
        expect(slackFallback(v)).not.toMatch(/[<>\n\r*_~`]/);
      }),
      { numRuns: 300 },
    );
  });
});

type Section = Extract<SlackBlock, { type: 'section' }>;

describe('planBlocks with hostile data everywhere', () => {
  it('no section has anything active outside code, whatever the findings, evidence and policy say', () => {
    fc.assert(
      fc.property(fc.array(ANY, { minLength: 1, maxLength: 6 }), (values) => {
        const base = manyFindings(values.length);
        const findings = base.map((f, i) => ({
          ...f,
          resource: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${values[i]}`,
          reasons: [values[i]!],
          evidence: [{ kind: 'stop-reason' as const, at: values[i]!, source: 'ecs', detail: values[i]! }],
        }));
        const plan = samplePlan({
          findings,
          needsApproval: values,
          additions: findings.map((f) => ({ action: f.action, resource: f.resource })),
          policyName: values[0]!,
        });
        for (const b of planBlocks(plan)) {
          if (b.type !== 'section') continue;
          const outside = outsideCode((b as Section).text.text)
            .replace(/\*[A-Z][^*\n]*\*/g, '') // Leash's own bold titles
            .replace(/<@U[A-Z0-9]+>/g, '');
          const active = outside.split('\n').filter((line) => ACTIVE.test(line.replace(/^• /, '')) && !/^…and \d+ more/.test(line));
          expect(active, JSON.stringify(b)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
