/**
 * The `hanbeon` command's dispatcher (cli/hanbeon.ts is the executable). Works offline: no AWS
 * account, no running platform (the embedded platform's data directory, or AWS with `--aws`).
 */
import { parseArgs } from 'node:util';

/**
 * Each subcommand's module is loaded only when it runs: `pki` pulls in the AWS SDK and
 * `templates` the catalog, and an auditor's `verify` over a thousand files should not pay for
 * either at start (measured: ~1.5 s of a quiet start went to modules `verify` never uses).
 */
interface Subcommand {
  readonly usage: string;
  readonly run: (args: string[]) => Promise<number>;
}

const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  'agency-key': () => import('./agency-keys.ts').then((m) => ({ usage: m.AGENCY_KEY_USAGE, run: m.runAgencyKeys })),
  audit: () => import('./audit.ts').then((m) => ({ usage: m.AUDIT_USAGE, run: m.runAudit })),
  pki: () => import('./pki.ts').then((m) => ({ usage: m.PKI_USAGE, run: m.runPki })),
  verify: () => import('./verify.ts').then((m) => ({ usage: m.VERIFY_USAGE, run: m.runVerify })),
};

const subcommandNamed = (name: string | undefined): (() => Promise<Subcommand>) | undefined => (name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined);

const usage = async (): Promise<string> => {
  const loaded = await Promise.all(['pki', 'agency-key', 'audit', 'verify'].map((name) => SUBCOMMANDS[name]!()));
  const [pki, agencyKey, audit, verify] = loaded as [Subcommand, Subcommand, Subcommand, Subcommand];
  return `usage: hanbeon <command> [options]

commands:
  templates check [--dir DIR]   validate petition types and agencies (default: the project's templates/)
  workflow asl                  print the workflow's ASL, exactly as the local runner executes it
${pki.usage}
${agencyKey.usage}
${audit.usage}
${verify.usage}
  help                          this text

exit codes: 0 ok, 1 invalid input (e.g. a bad template), 2 usage error`;
};

async function checkTemplates(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' } }, strict: true });
  const { CatalogError, defaultTemplatesDir, loadCatalog } = await import('../shared/catalog/load.ts');
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
    const { loadPetitionDefinition } = await import('../workflows/definition-cache.ts');
    console.log(JSON.stringify(await loadPetitionDefinition(), null, 2));
    return 0;
  }
  // `verify` takes files, not a sub-subcommand; the others take `<command> <action> …`.
  const load = subcommandNamed(command);
  if (command === 'verify' && load) return (await load()).run(argv.slice(1));
  if (load) return (await load()).run([subcommand ?? '', ...rest].filter((arg, i) => i > 0 || arg !== ''));
  if (command === 'help' || command === undefined) {
    console.log(await usage());
    return command === undefined ? 2 : 0;
  }
  const help = await usage();
  console.error(`unknown command: ${argv.join(' ')}\n\n${help}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Not a verdict: 1 means "failed" or "broken" to `verify` and `audit verify`, so a crash must not say it.
    console.error(`hanbeon: could not complete: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
