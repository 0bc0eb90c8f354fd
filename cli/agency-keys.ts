/**
 * `hanbeon agency-key …`: the operator issues and revokes agencies' API keys in a deployment's table
 * (--aws, with HANBEON_TABLE_NAME). Locally the embedded platform holds its data directory, so a
 * development key comes from POST /dev/agencies/{id}/api-keys instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { loadConfig } from '../functions/config.ts';
import { defaultTemplatesDir, loadCatalog } from '../shared/catalog/load.ts';
import { issueAgencyApiKey } from '../shared/identity/agency-api-keys.ts';
import { DynamoAgencyKeyStore } from '../shared/store/dynamo-agency-key-store.ts';
import { createDocumentClient } from '../shared/store/index.ts';

export const AGENCY_KEY_USAGE = `  agency-key issue AGENCY [--label TEXT] --aws    issue an API key for an agency (shown once)
  agency-key list AGENCY --aws                    list its keys (ids, labels, times; never the keys)
  agency-key revoke AGENCY KEY_ID --aws           revoke one key at once`;

/** Runs an `agency-key` subcommand; returns the exit code. */
export async function runAgencyKeys(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { aws: { type: 'boolean', default: false }, label: { type: 'string' } } });
  if (!values.aws) {
    console.error('agency keys live in the deployment\'s table: add --aws (with HANBEON_TABLE_NAME). Locally, while `npm start` runs: curl -X POST <url>/dev/agencies/<id>/api-keys');
    return 2;
  }
  const config = loadConfig({ ...process.env, HANBEON_MODE: 'local' });
  const store = new DynamoAgencyKeyStore({ client: createDocumentClient(new DynamoDBClient({})), tableName: config.HANBEON_TABLE_NAME });
  const [agency, keyId] = positionals;
  const catalog = await loadCatalog(config.HANBEON_TEMPLATES_DIR ?? defaultTemplatesDir);
  if (!agency || !catalog.agencies.has(agency)) {
    console.error(`expected an agency of the catalog (${[...catalog.agencies.keys()].join(', ')}), received ${agency ?? 'nothing'}`);
    return 2;
  }
  switch (subcommand) {
    case 'issue': {
      const issued = await issueAgencyApiKey(store, agency, values.label);
      console.log(`key ${issued.keyId} for ${agency} (shown once, store it in the agency's secret store):\n${issued.key}`);
      return 0;
    }
    case 'list':
      for (const key of await store.list(agency)) console.log(`${key.keyId}  created ${key.createdAt}${key.label ? `  "${key.label}"` : ''}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}`);
      return 0;
    case 'revoke':
      if (!keyId) {
        console.error('expected the id of the key to revoke (agency-key list shows them)');
        return 2;
      }
      if (!(await store.revoke(agency, keyId, new Date().toISOString()))) {
        console.error(`no active key ${keyId} of ${agency}`);
        return 1;
      }
      console.log(`revoked ${keyId} of ${agency}`);
      return 0;
    default:
      console.error(`unknown agency-key command '${subcommand ?? ''}'\n${AGENCY_KEY_USAGE}`);
      return 2;
  }
}
