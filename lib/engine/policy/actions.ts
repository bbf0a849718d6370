// Synchronous action catalogue for the services an execution role touches (generated from the service
// authorization reference, see action-data.ts). It gives actions their canonical case and lets the diff
// expand wildcard actions (`ecr:*`, `logs:Put*`, `*`). Services outside it stay as patterns. Built on first use,
// not at module init: a cold start that never plans (most events) does not pay for it.
import { actionData } from './action-data.js';
import { actionMatches, hasWildcard } from './wildcard.js';

export interface ActionInfo {
  /** Canonical `service:Action`, e.g. `logs:CreateLogStream`. */
  action: string;
  accessLevel: string;
  /** Resource types the action can be scoped to; empty when it only accepts `Resource: "*"`. */
  resourceTypes: string[];
}

interface Catalogue {
  byLower: Map<string, ActionInfo>;
  byService: Map<string, ActionInfo[]>;
}
let built: Catalogue | undefined;

function catalogue(): Catalogue {
  if (built) return built;
  const byLower = new Map<string, ActionInfo>();
  const byService = new Map<string, ActionInfo[]>();
  for (const [service, rows] of Object.entries(actionData())) {
    const infos = rows.map(([name, accessLevel, types]) => ({
      action: `${service}:${name}`,
      accessLevel,
      resourceTypes: types ? types.split('|') : [],
    }));
    byService.set(service, infos);
    for (const info of infos) byLower.set(info.action.toLowerCase(), info);
  }
  return (built = { byLower, byService });
}

export function cataloguedServices(): readonly string[] {
  return [...catalogue().byService.keys()].sort();
}

export function isCataloguedService(service: string): boolean {
  return catalogue().byService.has(service.toLowerCase());
}

export function actionInfo(action: string): ActionInfo | undefined {
  return catalogue().byLower.get(action.toLowerCase());
}

/** Canonical case from the catalogue; unknown actions get a lower-case service prefix and keep their name. */
export function canonicalAction(action: string): string {
  const known = catalogue().byLower.get(action.toLowerCase());
  if (known) return known.action;
  const i = action.indexOf(':');
  return i < 0 ? action : `${action.slice(0, i).toLowerCase()}${action.slice(i)}`;
}

/** Actions that take no resource-level permission (e.g. `ecr:GetAuthorizationToken`): `*` is their only scope. */
export function isWildcardOnlyAction(action: string): boolean {
  const info = actionInfo(action);
  return info !== undefined && info.resourceTypes.length === 0;
}

export interface ActionExpansion {
  /** Catalogued actions the pattern matches, canonical case, sorted. */
  actions: string[];
  /** The pattern may also match actions of services outside the catalogue (e.g. `*`, `xray:*`). */
  uncatalogued: boolean;
}

/** Expands an action pattern (case-insensitive IAM wildcards) over the catalogue. */
export function expandActionPattern(pattern: string): ActionExpansion {
  const colon = pattern.indexOf(':');
  const servicePart = colon < 0 ? pattern : pattern.slice(0, colon);
  if (!hasWildcard(pattern)) {
    const info = actionInfo(pattern);
    return info ? { actions: [info.action], uncatalogued: false } : { actions: [], uncatalogued: true };
  }
  const actions: string[] = [];
  let uncatalogued = false;
  if (hasWildcard(servicePart) || colon < 0) {
    // `*` or `*:Get*`: every service could match, including ones we do not know.
    uncatalogued = true;
    for (const infos of catalogue().byService.values()) {
      for (const i of infos) if (actionMatches(pattern, i.action)) actions.push(i.action);
    }
  } else {
    const infos = catalogue().byService.get(servicePart.toLowerCase());
    if (!infos) return { actions: [], uncatalogued: true };
    for (const i of infos) if (actionMatches(pattern, i.action)) actions.push(i.action);
  }
  return { actions: actions.sort(), uncatalogued };
}
