import { describe, expect, it } from 'vitest';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

describe('moto_server harness', () => {
  it('serves IAM to the real SDK client on loopback', async () => {
    const iam = new IAMClient(moto.config());
    await iam.send(new CreateRoleCommand({ RoleName: 'smoke', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'smoke' }));
    expect(got.Role?.Arn).toBe('arn:aws:iam::123456789012:role/smoke');
    expect(moto.server().endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts from an empty account after reset', async () => {
    const iam = new IAMClient(moto.config());
    await expect(iam.send(new GetRoleCommand({ RoleName: 'smoke' }))).rejects.toThrow(/not found|cannot be found/i);
  });
});
