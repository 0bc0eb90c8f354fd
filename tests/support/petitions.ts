/** Petitions as the store holds them part-way through the workflow, for tests that start there. */
import { randomUUID } from 'node:crypto';
import type { Petition, PetitionStatus } from '../../shared/petition/model.ts';

/** A basic-pension application by demo-kim-younghee with all three documents consented, in `status`, created at `at`. */
export const basicPensionPetition = (status: PetitionStatus, at: Date): Petition => {
  const when = at.toISOString();
  return {
    id: randomUUID(),
    type: 'basic-pension',
    typeVersion: 1,
    subject: 'demo-kim-younghee',
    fields: { bankName: '농협은행', accountNumber: '302-1234-5678-91', accountHolder: '김영희', phone: '010-2345-6789', noticeMethod: 'sms' },
    identity: { subject: 'demo-kim-younghee', name: '김영희', birthDate: '1954-03-15', issuer: 'test', assuranceLevel: 'high', authenticatedAt: when },
    consent: { documents: ['residentRecord', 'familyRelations', 'income'], grantedAt: when },
    status,
    version: 1,
    createdAt: when,
    updatedAt: when,
  };
};
