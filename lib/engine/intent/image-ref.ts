// Container image references (`[host[:port]/]path[:tag][@digest]`) and private ECR registry hosts.
import { DNS_SUFFIXES, PARTITION_SUFFIXES } from '../arn.js';

export interface ImageRef {
  /** Registry host (with port), absent for Docker Hub short names such as `nginx` or `amazon/aws-for-fluent-bit`. */
  host?: string;
  /** Repository path without tag or digest; may contain `/`. */
  path: string;
  tag?: string;
  digest?: string;
}

// The grammar of github.com/distribution/reference (what Docker and containerd accept).
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$/;

/** Splits an image reference without validating the parts (so placeholder hosts can still be recognized). */
export function splitImage(image: string): ImageRef {
  let rest = image;
  let host: string | undefined;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component is a registry host if it has a dot or a port, or is localhost.
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      host = first;
      rest = rest.slice(slash + 1);
    }
  }
  const ref: ImageRef = { path: rest };
  if (host !== undefined) ref.host = host;
  const at = rest.indexOf('@');
  if (at !== -1) {
    ref.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    ref.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  ref.path = rest;
  return ref;
}

/** The reference is syntactically valid (lowercase path, valid tag/digest/host). */
export function isValidImageRef(ref: ImageRef): boolean {
  if (ref.host !== undefined && !HOST_RE.test(ref.host)) return false;
  if (!PATH_RE.test(ref.path)) return false;
  if (ref.tag !== undefined && !TAG_RE.test(ref.tag)) return false;
  if (ref.digest !== undefined && !DIGEST_RE.test(ref.digest)) return false;
  return true;
}

export interface EcrHost {
  /** As written; may be a placeholder (`XXXXX`). */
  account: string;
  /** As written; may be a placeholder (`{{region}}`). */
  region: string;
  fips: boolean;
  /** DNS suffix as written (`amazonaws.com`, `on.aws`, `amazonaws.com.cn`, …). */
  suffix: string;
}

// IPv4 `dkr.ecr`, dual-stack `dkr-ecr` (on.aws), FIPS `dkr.ecr-fips` / `dkr-ecr-fips` (spec 2.3 row 3), over the
// partitions' DNS suffixes. The account and Region tokens are matched loosely so placeholders are still seen as ECR.
const PARTITIONS_BY_SUFFIX = new Map<string, string[]>();
for (const { id, dnsSuffix } of PARTITION_SUFFIXES)
  PARTITIONS_BY_SUFFIX.set(dnsSuffix, [...(PARTITIONS_BY_SUFFIX.get(dnsSuffix) ?? []), id]);
PARTITIONS_BY_SUFFIX.set('on.aws', ['aws', 'aws-us-gov']);

const SUFFIXES = [...DNS_SUFFIXES, 'on.aws'].map((s) => s.replace(/\./g, '\\.')).join('|');
// An explicit `:443` is the same HTTPS endpoint (Docker keeps it in the host), so it is still an ECR registry.
const ECR_HOST_RE = new RegExp(`^([^.]+)\\.(dkr\\.ecr|dkr\\.ecr-fips|dkr-ecr|dkr-ecr-fips)\\.([^.]+)\\.(${SUFFIXES})(?::443)?$`, 'i');

/** Parses a private ECR registry host; undefined for any other registry. */
export function parseEcrHost(host: string): EcrHost | undefined {
  const m = ECR_HOST_RE.exec(host);
  if (!m) return undefined;
  return {
    account: m[1] as string,
    region: m[3] as string,
    fips: (m[2] as string).toLowerCase().endsWith('fips'),
    suffix: (m[4] as string).toLowerCase(),
  };
}

/** The partition a registry DNS suffix implies, when only one partition uses it (`amazonaws.com` and `on.aws`
 *  serve both aws and aws-us-gov, so they imply none). */
export function partitionForEcrSuffix(suffix: string): string | undefined {
  const users = PARTITIONS_BY_SUFFIX.get(suffix);
  return users?.length === 1 ? users[0] : undefined;
}
