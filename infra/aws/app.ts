/** The `cdk` CLI entry (cdk.json: `npx tsx infra/aws/app.ts`). The CLI synthesizes the app on exit. */
import { buildApp } from './platform-app.ts';

buildApp();
