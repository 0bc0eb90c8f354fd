#!/usr/bin/env -S node --import tsx
/**
 * The `hanbeon` command (`npx hanbeon …` from the project). Works offline: no AWS account, no
 * running platform. Later subcommands (verify, pki, replay) join the table below.
 */
import { parseArgs } from 'node:util';
import { CatalogError, defaultTemplatesDir, loadCatalog } from '../shared/catalog/load.ts';
import { loadPetitionDefinition } from '../workflows/definition-cache.ts';
import { AGENCY_KEY_USAGE, runAgencyKeys } from './agency-keys.ts';
import { PKI_USAGE, runPki } from './pki.ts';

const USAGE = `usage: hanbeon <command> [options]

commands:
  templates check [--dir DIR]   validate petition types and agencies (default: the project's templates/)
  workflow asl                  print the workflow's ASL, exactly as the local runner executes it
${PKI_USAGE}
${AGENCY_KEY_USAGE}
  help                          this text

exit codes: 0 ok, 1 invalid input (e.g. a bad template), 2 usage error`;

async function checkTemplates(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' } }, strict: true });
  try {
    const catalog = await loadCatalog(values.dir ?? defaultTemplatesDir);
    for (const type of catalog.petitionTypes.values()) {
      console.log(`petition type ${type.id} v${type.version} (${type.name.ko}): ${type.fields.length} fields, ${type.evidence.length} documents from ${[...new Set(type.evidence.map((e) => e.agency))].join(', ')}, ${type.rules.length} rules`);
    }
    for (const agency of catalog.agencies.values()) console.log(`agency ${agency.id} (${agency.name.ko}): ${agency.documents.map((d) => d.type).join(', ')}`);
    console.log('templates are valid');
    return 0;
  } catch (error) {
    if (error instanceof CatalogError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, subcommand, ...rest] = argv;
  if (command === 'templates' && subcommand === 'check') return checkTemplates(rest);
  if (command === 'workflow' && subcommand === 'asl') {
    console.log(JSON.stringify(await loadPetitionDefinition(), null, 2));
    return 0;
  }
  if (command === 'agency-key') return runAgencyKeys([subcommand ?? '', ...rest].filter((arg, i) => i > 0 || arg !== ''));
  if (command === 'pki') return runPki([subcommand ?? '', ...rest].filter((arg, i) => i > 0 || arg !== ''));
  if (command === 'help' || command === undefined) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  console.error(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
