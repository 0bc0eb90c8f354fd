/**
 * Property: any single removal, swap or byte change among an exported chain's records is detected,
 * and the verifier names the right first bad record — the smallest seq whose record is missing,
 * out of place or changed (a changed line separator belongs to the record it ends).
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditChainer, pkiCheckpointSealer, verifyAuditExport } from '../../../shared/audit/index.ts';
import { useLocalDynamo } from '../../support/local-dynamo.ts';
import { exportText, givenAuditStore, givenTrust, petitionEvents } from './audit-fixtures.ts';

const dynamo = useLocalDynamo();
let root: Uint8Array;
let lines: string[];
let records: number;

beforeAll(async () => {
  const trust = await givenTrust();
  root = trust.root;
  const store = await givenAuditStore(dynamo);
  const start = Date.parse('2026-11-24T08:00:00Z');
  for (let i = 0; i < 3; i++) for (const event of petitionEvents(new Date(start + i * 700), randomUUID())) await store.record(event);
  await new AuditChainer({ store, seal: pkiCheckpointSealer(trust.pki), clock: () => new Date(), checkpointEveryRecords: 6, checkpointIntervalMs: 0 }).run();
  lines = (await exportText(store)).trimEnd().split('\n');
  records = lines.filter((l) => l.startsWith('{"type":"record"')).length;
});

/** Record seq n is line n (line 0 is the header). */
const joined = (ls: string[]) => `${ls.join('\n')}\n`;

const mutation = () =>
  fc.oneof(
    fc.record({ kind: fc.constant('remove' as const), seq: fc.integer({ min: 1, max: records }) }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.integer({ min: 1, max: records }), b: fc.integer({ min: 1, max: records }) }).filter(({ a, b }) => a !== b),
    // A byte of a record's line, or the newline that ends it (offset = line length), changed to any other byte.
    fc.record({ kind: fc.constant('byte' as const), seq: fc.integer({ min: 1, max: records }), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), byte: fc.integer({ min: 0, max: 255 }) }),
  );

describe('audit export tampering (property)', () => {
  it('detects every single removal, swap or byte change, and names the first bad record', async () => {
    expect((await verifyAuditExport(joined(lines), root)).intact).toBe(true);
    await fc.assert(
      fc.asyncProperty(mutation(), async (m) => {
        let text: string;
        let firstBad: number;
        if (m.kind === 'remove') {
          text = joined(lines.filter((_, i) => i !== m.seq));
          firstBad = m.seq;
        } else if (m.kind === 'swap') {
          const copy = [...lines];
          [copy[m.a], copy[m.b]] = [copy[m.b]!, copy[m.a]!];
          text = joined(copy);
          firstBad = Math.min(m.a, m.b);
        } else {
          const bytes = Buffer.from(joined(lines), 'utf8');
          const lineStart = Buffer.byteLength(lines.slice(0, m.seq).join('\n'), 'utf8') + 1;
          const lineLength = Buffer.byteLength(lines[m.seq]!, 'utf8') + 1; // with its newline
          const offset = lineStart + Math.floor(m.at * lineLength);
          fc.pre(bytes[offset] !== m.byte);
          bytes[offset] = m.byte;
          text = bytes.toString('utf8');
          firstBad = m.seq;
        }

        const result = await verifyAuditExport(text, root);

        expect(result.intact).toBe(false);
        expect(result.firstProblem?.seq).toBe(firstBad);
      }),
      { numRuns: 300 },
    );
  });
});
