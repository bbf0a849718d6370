// The approval page in a real browser: Chromium opens the signed link Leash published for billing-exec, served by
// the approvals handler over node:http, shows the role and the diff, and Approve applies the plan in moto.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run as handleApprovalRequest } from '../../functions/approvals.js';
import { launchChromium, serveHttpApi, type LocalHttpApi } from '../support/browser.js';
import { useMoto } from '../support/moto.js';
import {
  APPROVER,
  awslogs,
  createWorld,
  type DemoWorld,
  ecrImage,
  expectedAfter,
  LINK_APPROVER,
  remediationAccount,
} from '../support/world/index.js';

const moto = useMoto();
const ROLE = 'billing-exec';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let browser: Browser | undefined;
let dir: string | undefined;
let w: DemoWorld | undefined;
let server: LocalHttpApi | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leash-browser-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await browser?.close();
  await server?.close();
  await w?.close();
  browser = server = w = undefined;
});

describe('approval page in Chromium', () => {
  it('shows the role and the diff, and Approve applies the plan to the role', async () => {
    // Launched inside the test, so a missing Chromium fails it with launchChromium's message (never a skip).
    browser = await launchChromium();
    w = await createWorld(moto.config(), remediationAccount());
    const world = w;
    const before = await world.readRole(ROLE);
    const beforeHash = await world.stateHash(ROLE);
    const { plan } = await world.requestApproval(ROLE);
    const token = await world.linkToken(plan);
    server = await serveHttpApi((event) => handleApprovalRequest(event, world.deps));

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    try {
      const page = await context.newPage();
      const opened = await page.goto(`${server.url}/approve/${token}`);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Approve policy change for billing-exec');
      expect(await page.locator('p code').first().textContent()).toBe(plan.roleArn);
      const removed = await page.locator('li.remove').allTextContents();
      const added = await page.locator('li.add').allTextContents();
      expect(removed).toContain('- s3:* on * (removed)');
      expect(removed).toContain('- secretsmanager:GetSecretValue on * (removed)');
      expect(await page.locator('h3', { hasText: 'Inline policy billing-extra: deleted' }).count()).toBe(1);
      expect(added.map((a) => a.split('needed by')[0])).toContain(
        '+ ecr:BatchGetImage on arn:aws:ecr:eu-west-1:123456789012:repository/billing (new access)',
      );
      // The wildcard's narrowed replacement is shown with who needs it.
      const narrowed = added.find((a) => a.includes('secret:billing/db-'));
      expect(narrowed).toContain('narrows the removed grant on *');
      expect(narrowed).toContain('containerDefinitions[0].secrets[0].valueFrom');
      expect(await world.stateHash(ROLE)).toBe(beforeHash); // opening the link changes nothing

      const shot = join(dir!, 'approval-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect(png.length).toBeGreaterThan(PNG_SIGNATURE.length);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      await page.getByRole('button', { name: 'Approve' }).click(); // a real form POST to the same URL
      // Recorded and queued at once; the remediation function applies it.
      await page.locator('h1', { hasText: 'Approved' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('h1').textContent()).toBe('Approved');
      expect(await page.locator('p').first().textContent()).toContain(`by ${LINK_APPROVER}`);
      expect(await world.applyQueued()).toMatchObject([{ outcome: 'applied' }]);
    } finally {
      await context.close();
    }

    expect(await world.readRole(ROLE)).toEqual(expectedAfter(before, plan));
    expect(Object.keys((await world.readRole(ROLE)).inline)).toEqual([plan.policyName]);
    expect((await world.audit(ROLE)).map((e) => e.action)).toEqual(['plan', 'approve', 'apply']);
  }, 60_000);

  it('on a phone (390 px): a long plan with long ARNs shows every addition without horizontal scrolling; once decided in Slack, the link shows who decided and nothing to click', async () => {
    browser = await launchChromium();
    w = await createWorld(moto.config(), remediationAccount());
    const world = w;
    // The longest role name IAM allows, log groups and secrets with long names: ARNs far wider than a phone.
    const role = `payments-settlement-reconciliation-exec-${'x'.repeat(24)}`;
    const groups = Array.from(
      { length: 30 },
      (_, i) => `/ecs/payments/settlement/reconciliation/${'very-long-service-name-'.repeat(3)}${i}`,
    );
    await world.addRoles([
      {
        name: role,
        tags: { 'leash:mode': 'approve' },
        inline: { legacy: [{ Effect: 'Allow', Action: ['logs:*', 'secretsmanager:GetSecretValue'], Resource: '*' }] },
        taskDefinitions: [0, 1, 2].map((t) => ({
          family: `payments-${t}`,
          containers: groups.slice(t * 10, t * 10 + 10).map((g, i) => ({
            name: `container-${i}`,
            image: ecrImage('payments'),
            essential: i === 0,
            logConfiguration: awslogs(g),
            secrets: [
              {
                name: 'DB',
                valueFrom: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/${'db-credentials-'.repeat(4)}${t}${i}-AbCdEf`,
              },
            ],
          })),
        })),
      },
    ]);
    await world.reindex();
    const { plan } = await world.requestApproval(role);
    const token = await world.linkToken(plan);
    server = await serveHttpApi((event) => handleApprovalRequest(event, world.deps));

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const page = await context.newPage();
      expect((await page.goto(`${server.url}/approve/${token}`))?.status()).toBe(200);
      await page.evaluate("document.querySelector('details').open = true"); // the resulting policy, shown too
      const added = await page.locator('li.add').allTextContents();
      for (const g of groups)
        expect(
          added.some((a) => a.includes(`log-group:${g}:*`)),
          g,
        ).toBe(true);
      expect(added.filter((a) => a.includes(':secret:payments/'))).toHaveLength(30);
      expect(await page.locator('.facts').textContent()).toContain(`You approve as ${LINK_APPROVER}`);
      // Evaluated in the page (a string: this file is compiled without the DOM's types).
      const width = () =>
        page.evaluate<{ scroll: number; client: number }>(
          '({ scroll: document.scrollingElement.scrollWidth, client: document.scrollingElement.clientWidth })',
        );
      const shown = await width();
      expect(shown.client).toBeLessThanOrEqual(390);
      expect(shown.scroll).toBeLessThanOrEqual(shown.client);
      const shot = join(dir!, 'approval-page-390.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await readFile(shot)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      // Decided elsewhere (Slack, via its own review link): the email link now shows the decision, no buttons.
      const review = await handleApprovalRequest(world.click(plan, { action: 'review' }), world.deps);
      expect(review.body).toBe('link sent');
      const slackToken = /\/approve\/(\S+)/.exec(world.slack.ephemerals.at(-1)!.text)![1]!;
      const slackPage = await context.newPage();
      await slackPage.goto(`${server.url}/approve/${slackToken}`);
      await slackPage.getByRole('button', { name: 'Approve' }).click();
      await slackPage.locator('h1', { hasText: 'Approved' }).waitFor({ timeout: 15_000 });
      expect(await world.applyQueued()).toMatchObject([{ outcome: 'applied', roleArn: plan.roleArn }]);

      expect((await page.reload())?.status()).toBe(410);
      expect(await page.locator('h1').textContent()).toBe('Already decided');
      expect(await page.locator('p').first().textContent()).toContain(`was approved by ${APPROVER}`);
      expect(await page.locator('form, button, input').count()).toBe(0);
      const decided = await width();
      expect(decided.scroll).toBeLessThanOrEqual(decided.client);
    } finally {
      await context.close();
    }
  }, 120_000);
});
