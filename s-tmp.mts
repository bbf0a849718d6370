import { synthesize } from './lib/engine/synth/synthesize.js';
const reasons = [{ taskDefinition: 'td:1', field: 'x' }];
const reqs = [];
for (let i = 0; i < 500; i++) {
  const g = `arn:aws:logs:us-east-1:123456789012:log-group:/ecs/svc-${i}`;
  for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogGroup']) reqs.push({ action: a, resource: `${g}:*`, reasons });
  reqs.push({ action: 'logs:CreateLogGroup', resource: g, reasons });
}
reqs.push({ action: 'ecr:GetAuthorizationToken', resource: '*', reasons });
reqs.push({ action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:123456789012:repository/app', reasons });
reqs.push({ action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????', reasons });
console.time('s');
const out = synthesize(reqs);
console.timeEnd('s');
console.log(JSON.stringify(out.document, null, 1), out.size, out.compaction.map(c => [c.action, c.from.length, c.to, c.extraAccess]));
