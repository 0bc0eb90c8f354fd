/** Reaching real agencies on AWS: credentials from Secrets Manager (mocked faithfully), keys by URL (a real server). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agencyConnections } from '../../functions/agency-connections.ts';
import { loadConfig } from '../../functions/config.ts';
import { secretReader } from '../../functions/secrets.ts';
import { defaultTemplatesDir, loadCatalog, type Catalog } from '../../shared/catalog/load.ts';

const secrets = mockClient(SecretsManagerClient);
const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] };
let server: Server;
let baseUrl: string;
let catalog: Catalog;

beforeAll(async () => {
  catalog = await loadCatalog(defaultTemplatesDir);
  server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => secrets.reset());

const configWith = (agencies: unknown) => loadConfig({ HANBEON_AGENCIES: JSON.stringify(agencies) });

describe('agency connections on AWS', () => {
  it('reads the bearer credential from Secrets Manager and the keys from the agency', async () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:mois-credential';
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: 's3cr3t' });

    const connections = await agencyConnections(configWith({ mois: { baseUrl, credentialSecretArn: arn } }), catalog, { readSecret: secretReader(new SecretsManagerClient({})) });

    expect(connections.get('mois')).toMatchObject({ baseUrl, credential: 's3cr3t', keys: jwks });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('connects only the agencies the deployment names', async () => {
    const connections = await agencyConnections(configWith({ nts: { baseUrl, credential: 'plain' } }), catalog, { readSecret: secretReader(new SecretsManagerClient({})) });
    expect([...connections.keys()]).toEqual(['nts']);
  });

  it('fails at start, naming the secret, when it cannot be read', async () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:missing';
    secrets.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: `Secrets Manager can't find the specified secret.`, $metadata: {} }));
    await expect(agencyConnections(configWith({ mois: { baseUrl, credentialSecretArn: arn } }), catalog, { readSecret: secretReader(new SecretsManagerClient({})) })).rejects.toThrow(/can't find/);
  });

  it('refuses a credential secret where no secret reader exists, rather than sending no credential', async () => {
    await expect(agencyConnections(configWith({ mois: { baseUrl, credentialSecretArn: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:x' } }), catalog)).rejects.toThrow(/cannot read secrets/);
  });

  it('takes the timeout from the deployment, then the global setting, then the template', async () => {
    const global = loadConfig({ HANBEON_AGENCY_TIMEOUT_MS: '1234', HANBEON_AGENCIES: JSON.stringify({ mois: { baseUrl, timeoutMs: 777 }, nts: { baseUrl } }) });
    const connections = await agencyConnections(global, catalog);
    expect(connections.get('mois')?.timeoutMs).toBe(777);
    expect(connections.get('nts')?.timeoutMs).toBe(1234);
    const none = await agencyConnections(configWith({ court: { baseUrl } }), catalog);
    expect(none.get('court')?.timeoutMs).toBe(catalog.agencies.get('court')!.endpoint.timeoutMs);
  });

  it('fails at start when an agency does not publish its keys', async () => {
    await expect(agencyConnections(configWith({ mois: { baseUrl, jwksUrl: `${baseUrl}/nope` } }), catalog, { readSecret: secretReader(new SecretsManagerClient({})) })).rejects.toThrow(/keys at .* answered 404/);
  });
});
