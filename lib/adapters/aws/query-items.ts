// Every item a DynamoDB Query returns, page by page (at most `limit` when given): one pager for all the stores.
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { call } from './sdk-call.js';

export async function queryItems(
  ddb: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  limit?: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await call('dynamodb', 'Query', () =>
      ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: start, ...(limit ? { Limit: limit - out.length } : {}) })),
    );
    out.push(...(page.Items ?? []));
    start = limit !== undefined && out.length >= limit ? undefined : page.LastEvaluatedKey;
  } while (start);
  return limit !== undefined ? out.slice(0, limit) : out;
}
