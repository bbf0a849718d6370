// How compaction reads a resource ARN: a base (`arn:p:svc:region:account:` plus the resource type:
// `repository/`, `log-group:`, `secret:`; nothing for S3) and a name. Names are cut only after a delimiter
// (`/ecs/`, `team-`, `db_`), so a widened pattern always ends a path component or word: `…:log-group:/ecs/*`.
// The same cut points define the *families* a resource belongs to: base + prefix + `*` (universe.ts).

/** Length of the base of an ARN (see above), or -1 when the string is not an ARN with a resource part. */
export function baseLength(resource: string): number {
  if (!resource.startsWith('arn:')) return -1;
  // Colons 2 and 3 delimit the service; colon 5 ends the header.
  let colons = 0;
  let service = -1;
  let header = -1;
  for (let i = 0; i < resource.length; i++) {
    if (resource.charCodeAt(i) !== 58) continue;
    colons++;
    if (colons === 2) service = i + 1;
    else if (colons === 3 && i - service === 2 && resource.startsWith('s3', service)) service = -2;
    else if (colons === 5) {
      header = i + 1;
      break;
    }
  }
  if (header < 0) return -1;
  if (service === -2) return header; // S3: bucket and key are all name
  for (let i = header; i < resource.length; i++) {
    const c = resource.charCodeAt(i);
    if (c === 47 || c === 58) return i + 1; // `/` or `:` ends the resource type
  }
  return header;
}

export function splitResource(resource: string): { base: string; name: string } | undefined {
  const n = baseLength(resource);
  return n < 0 ? undefined : { base: resource.slice(0, n), name: resource.slice(n) };
}

/** Is the character a name delimiter? Codes of `/ - _ . :`. */
export function isNameDelimiter(c: number): boolean {
  return c === 47 || c === 45 || c === 95 || c === 46 || c === 58;
}

/** Stops a name prefix: `*`, `?`, `$` (wildcards and policy variables). */
export function stopsName(c: number): boolean {
  return c === 42 || c === 63 || c === 36;
}
