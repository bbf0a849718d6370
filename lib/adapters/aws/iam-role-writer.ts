// The only code that writes IAM: runs the steps the apply use case decided, in its order, one call each.
import {
  AttachRolePolicyCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { RoleWriter } from '../../app/ports.js';
import type { PatchStep } from '../../engine/role/steps.js';
import { call, errorName } from './sdk-call.js';

const gone = (err: unknown): boolean => {
  const cause = (err as { cause?: unknown }).cause;
  return ['NoSuchEntityException', 'NoSuchEntity'].includes(errorName(cause ?? err));
};

export class IamRoleWriter implements RoleWriter {
  constructor(private readonly iam: IAMClient) {}

  /** Stops at the first failure, thrown as AdapterError. */
  async run(roleName: string, steps: PatchStep[], opts: { tolerateGone?: boolean } = {}): Promise<void> {
    for (const step of steps) {
      try {
        await this.step(roleName, step);
      } catch (err) {
        if (opts.tolerateGone && (step.op === 'delete-inline' || step.op === 'detach') && gone(err)) continue;
        throw err;
      }
    }
  }

  private step(RoleName: string, s: PatchStep): Promise<unknown> {
    const iam = this.iam;
    switch (s.op) {
      case 'put-inline':
        return call('iam', 'PutRolePolicy', () =>
          iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: s.name, PolicyDocument: JSON.stringify(s.document) })),
        );
      case 'attach':
        return call('iam', 'AttachRolePolicy', () => iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: s.arn })));
      case 'delete-inline':
        return call('iam', 'DeleteRolePolicy', () => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: s.name })));
      case 'detach':
        return call('iam', 'DetachRolePolicy', () => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: s.arn })));
    }
  }
}
