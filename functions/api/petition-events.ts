/**
 * GET /v1/petitions/{id}/events: the petition's status changes as server-sent events, for its owner.
 * Each response carries the changes after `Last-Event-ID` (waiting up to a few seconds for one when
 * there is none yet) and ends; the browser's EventSource reconnects by itself after `retry`, sending
 * the last id it saw. This shape works behind API Gateway and Lambda, which buffer a response, as
 * well as locally: no connection is held longer than the wait. `event: end` says the petition has
 * reached its outcome and nothing more will come.
 */
import { isTerminal, type TimelineEntry } from '../../shared/petition/model.ts';
import { lambdaHandler } from '../lambda.ts';
import type { ApiDeps } from './deps.ts';
import { authenticate, header, withProblems } from './http.ts';
import { notFound, PETITION_ID } from './problem.ts';

const POLL_MS = 250;
/** How long one request waits for a change before answering with none. */
export const DEFAULT_EVENT_WAIT_MS = 8_000;
const RECONNECT_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const frame = (id: number, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const getPetitionEvents = withProblems<ApiDeps>(async (event, deps) => {
  const identity = await authenticate(event, deps.verifyToken);
  const id = event.pathParameters?.id ?? '';
  if (!PETITION_ID.test(id)) throw notFound(`petition '${id.slice(0, 64)}'`);
  // Last-Event-ID is the count of status changes already seen; anything unreadable means "from the start".
  const lastSeen = Number.parseInt(header(event, 'last-event-id') ?? event.queryStringParameters?.after ?? '0', 10);
  const seen = Number.isSafeInteger(lastSeen) && lastSeen > 0 ? lastSeen : 0;
  const waitMs = deps.limits.eventWaitMs ?? DEFAULT_EVENT_WAIT_MS;
  const deadline = Date.now() + waitMs;

  for (;;) {
    const { petition, timeline } = await deps.store.getPetitionRecord(id);
    if (!petition || petition.subject !== identity.subject) throw notFound(`petition '${id}'`);
    const changes = timeline.filter((entry): entry is TimelineEntry & { status: NonNullable<TimelineEntry['status']> } => entry.kind === 'status' && entry.status !== undefined);
    const fresh = changes.slice(seen);
    const done = isTerminal(petition.status);
    if (fresh.length > 0 || done || Date.now() >= deadline) {
      let body = `retry: ${RECONNECT_MS}\n\n`;
      fresh.forEach((change, i) => (body += frame(seen + i + 1, 'status', { petitionId: id, status: change.status, at: change.at })));
      if (done) body += frame(changes.length, 'end', { petitionId: id, status: petition.status });
      else if (fresh.length === 0) body += ': no change yet\n\n';
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
        body,
      };
    }
    await sleep(POLL_MS);
  }
});

export const handler = lambdaHandler(getPetitionEvents);
