/** The simulated issuing agencies of the embedded platform: start them, and connect the evidence source to them. */
import { randomBytes } from 'node:crypto';
import type { AgencyConnection } from '../../../shared/evidence/http-evidence-source.ts';
import type { Population } from '../population.ts';
import type { FaultPlan } from './faults.ts';
import { startSimulatedAgency, type SimulatedAgency } from './server.ts';

export type { FaultMode, FaultPlan } from './faults.ts';
export { AGENCY_NAMES, DOCUMENTS, PROVINCES, type DocumentDefinition, type LookupBy } from './records.ts';
export { startSimulatedAgency, type SimulatedAgency, type SimulatedAgencyOptions } from './server.ts';
export { generateAgencySigningKey, type AgencySigningKey } from './signing-key.ts';

export interface SimulatedAgenciesOptions {
  population: Population;
  agencyIds: string[];
  /** Fault plan per agency id. @default none */
  faults?: Record<string, FaultPlan>;
  /** Bearer credential per agency id. @default a random credential per agency */
  credentials?: Record<string, string>;
  /** @default () => new Date() */
  clock?: () => Date;
}

export interface SimulatedAgencies {
  agencies: Map<string, SimulatedAgency>;
  close(): Promise<void>;
}

/** Starts one simulated agency per id; if one fails to start, those already started are closed. */
export const startSimulatedAgencies = async (options: SimulatedAgenciesOptions): Promise<SimulatedAgencies> => {
  const agencies = new Map<string, SimulatedAgency>();
  const close = async () => {
    await Promise.all([...agencies.values()].map((agency) => agency.close()));
  };
  try {
    for (const id of options.agencyIds) {
      agencies.set(
        id,
        await startSimulatedAgency({
          id,
          population: options.population,
          credential: options.credentials?.[id] ?? randomBytes(24).toString('base64url'),
          ...(options.faults?.[id] ? { faults: options.faults[id] } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { agencies, close };
};

/** What the HTTP evidence source needs to reach running simulated agencies. */
export const agencyConnectionsFor = (agencies: ReadonlyMap<string, SimulatedAgency>, options: { timeoutMs: number }): Map<string, AgencyConnection> =>
  new Map(
    [...agencies.values()].map((agency) => [
      agency.id,
      { id: agency.id, baseUrl: agency.baseUrl, credential: agency.credential, timeoutMs: options.timeoutMs, keys: agency.jwks },
    ]),
  );
