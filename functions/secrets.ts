import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a Secrets Manager secret's string value (an agency credential). */
export const secretReader =
  (client: SecretsManagerClient) =>
  async (arn: string): Promise<string> => {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!secret.SecretString) throw new Error(`secret ${arn} has no string value`);
    return secret.SecretString;
  };
