// Every Lambda's wrapper: Powertools structured logs (request id, cold start) and EMF metrics, one summary line per
// invocation saying what happened, never what was sent or answered (no bodies, tokens, signatures or secrets).
// Errors are logged with their cause chain and rethrown, so Lambda retries and then records the event in the DLQ.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { redact } from './redact.js';

export const logger = new Logger({ serviceName: 'leash' });
// The service dimension is the stack's name when deployed (two stages in one account keep their metrics, and the
// alarms on them, apart); 'leash' elsewhere.
export const metrics = new Metrics({ namespace: 'Leash', serviceName: process.env.LEASH_STACK_NAME || 'leash' });

/** One metric data point; `dimensions` make it a single metric of its own (e.g. findings by severity). */
export interface Measure {
  name: string;
  value: number;
  unit?: 'Count' | 'Seconds';
  dimensions?: Record<string, string>;
}

export interface Report {
  /** Safe facts only: ids, counts, outcomes, roles, plan-hash prefixes. */
  log: Record<string, unknown>;
  measures?: Measure[];
}

/** The error and its causes, names and messages only, each message scrubbed (redact.ts): never a stack or a body. */
export function errorChain(err: unknown, secrets: string[] = []): unknown[] {
  const chain: unknown[] = [];
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    chain.push(
      e instanceof Error
        ? { name: redact(e.name, secrets).slice(0, 100), message: redact(e.message, secrets).slice(0, 500) }
        : redact(String(e), secrets).slice(0, 500),
    );
  }
  return chain;
}

export function record(measures: Measure[] = []): void {
  for (const m of measures) {
    const unit = m.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count;
    if (!m.dimensions) {
      metrics.addMetric(m.name, unit, m.value);
      continue;
    }
    const single = metrics.singleMetric();
    for (const [k, v] of Object.entries(m.dimensions)) single.addDimension(k, v);
    single.addMetric(m.name, unit, m.value);
  }
}

/** The Lambda handler for one function: `run` does the work, `report` says what happened in safe terms. */
export function lambdaHandler<R>(
  fn: string,
  run: (event: unknown, context: Context) => Promise<R>,
  report: (result: R, event: unknown) => Report,
  /** Values of this event that must never reach a log, even inside an error message (a link's token, a signature). */
  secretsOf: (event: unknown) => string[] = () => [],
) {
  return (
    middy<unknown, R, Error, Context>()
      // logEvent false whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event can hold a token, a signature or a body.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
      .use({
        onError: async (request) => {
          logger.error('failed', { fn, outcome: 'error', error: errorChain(request.error, secretsOf(request.event)) });
        },
      })
      .handler(async (event, context) => {
        const result = await run(event, context);
        const r = report(result, event);
        record(r.measures);
        logger.info('done', { fn, outcome: 'ok', ...r.log });
        return result;
      })
  );
}

/** Seconds between an EventBridge event's time and now: how late Leash saw it. */
export function eventAge(event: unknown, now = Date.now()): Measure[] {
  const time = (event as { time?: unknown } | null)?.time;
  const t = typeof time === 'string' ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? [] : [{ name: 'EventAge', value: Math.max(0, (now - t) / 1000), unit: 'Seconds' }];
}
