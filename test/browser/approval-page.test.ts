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
import { expectedAfter, LINK_APPROVER, makeWorld, type World } from '../support/remediation-world.js';

const moto = useMoto();
const ROLE = 'billing-exec';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let browser: Browser | undefined;
let dir: string | undefined;
let w: World | undefined;
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
    w = await makeWorld(moto.config());
    const world = w;
    const before = await world.readRole(ROLE);
    const beforeHash = await world.stateHash(ROLE);
    const { plan } = await world.requestApproval(ROLE);
    const token = await world.linkToken(plan);
    server = await serveHttpApi((event) => handleApprovalRequest(event, world.rt));

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    try {
      const page = await context.newPage();
      const opened = await page.goto(`${server.url}/approve/${token}`);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Approve policy change for billing-exec');
      expect(await page.locator('p code').first().textContent()).toBe(plan.roleArn);
      const removed = await page.locator('li.remove').allTextContents();
      const added = await page.locator('li.add').allTextContents();
      expect(removed).toContain('- s3:* on *');
      expect(removed).toContain('- delete inline policy billing-extra');
      expect(added).toContain('+ ecr:BatchGetImage on arn:aws:ecr:eu-west-1:123456789012:repository/billing');
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
});
