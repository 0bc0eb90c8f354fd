/** Small factories for the audit trail's tests: a trust hierarchy of in-memory keys, events, exports. */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEvents, exportAuditTrail, type AuditEvent, type AuditReader } from '../../../shared/audit/index.ts';
import { ManifestPki, writeTrustManifest } from '../../../shared/seal/manifest-pki.ts';
import type { Signer } from '../../../shared/seal/signer.ts';
import { createTrustHierarchy, rootCertificateOf, sealingIdentityFor, type KeyResolver } from '../../../shared/seal/trust-hierarchy.ts';
import { DirectoryObjectStore } from '../../../shared/store/directory-object-store.ts';
import { DynamoAuditStore } from '../../../shared/store/dynamo-audit-store.ts';
import type { LocalDynamo } from '../../support/local-dynamo.ts';
import { givenSigner } from '../seal/pki-fixtures.ts';

/** A trust hierarchy (root, Seal CA, platform seal, TSA, one agency seal) whose keys live in memory. */
export const givenTrust = async (clock: () => Date = () => new Date()) => {
  const signers = new Map<string, Signer>();
  const keys: KeyResolver = async (name) => {
    if (!signers.has(name)) signers.set(name, givenSigner(name));
    return signers.get(name)!;
  };
  const manifest = await createTrustHierarchy({ keys, agencies: [{ id: 'court', name: '법원' }], clock: () => new Date(clock().getTime() - 60_000) });
  const objects = new DirectoryObjectStore(await mkdtemp(join(tmpdir(), 'hanbeon-audit-pki-')));
  await writeTrustManifest(objects, manifest);
  return {
    pki: new ManifestPki({ objects, keys, clock, refreshMs: 0 }),
    root: rootCertificateOf(manifest),
    /** The court's seal: a genuine key of the same hierarchy, but not the platform seal. */
    agencySeal: () => sealingIdentityFor(manifest, 'agency:court', keys),
  };
};

/** An audit store on a table of its own. */
export const givenAuditStore = async (dynamo: LocalDynamo) => new DynamoAuditStore({ client: dynamo.documents(), tableName: await dynamo.table('audit') });

/** A petition's first steps as events, one second apart from `start`. */
export const petitionEvents = (start: Date, petitionId = randomUUID()): AuditEvent[] => {
  const at = (s: number) => new Date(start.getTime() + s * 1000);
  return [
    auditEvents.status(petitionId, 'RECEIVED', at(0)),
    auditEvents.status(petitionId, 'VERIFYING_IDENTITY', at(1)),
    auditEvents.status(petitionId, 'RETRIEVING_EVIDENCE', at(2)),
    auditEvents.evidence(
      { petitionId, evidenceId: 'income', subject: 'citizen-1', documentType: 'income-certificate', agency: 'nts', purpose: petitionId, consentedAt: at(0).toISOString(), retrievedAt: at(3).toISOString(), sha256: 'ab'.repeat(32), objectKey: 'k' },
      'basic-pension',
      { documents: ['income'], grantedAt: at(0).toISOString() },
    ),
    auditEvents.status(petitionId, 'DECIDING', at(4)),
    auditEvents.decision(petitionId, { outcome: 'approve', reasons: [{ ruleId: 'age' }], decidedAt: at(5).toISOString() }, 'rules'),
  ];
};

/** The export as one text, as the CLI writes it. */
export const exportText = async (reader: AuditReader, options: { petitionId?: string } = {}): Promise<string> => {
  const lines: string[] = [];
  for await (const line of exportAuditTrail(reader, { ...options, exportedAt: new Date() })) lines.push(line);
  return `${lines.join('\n')}\n`;
};
