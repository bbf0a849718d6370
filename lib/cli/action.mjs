#!/usr/bin/env node
// Entry point of the GitHub Action (action.yml): runs the TypeScript through tsx's loader, as lib/cli/leash.mjs does.
import { register } from 'tsx/esm/api';

register();
const { runAction } = await import('./github-action.ts');
process.exitCode = await runAction(process.env, { stdout: process.stdout, stderr: process.stderr });
