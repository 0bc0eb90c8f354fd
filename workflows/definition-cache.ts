/**
 * The locally executed ASL, cached by a hash of everything that shapes it (the workflow sources and
 * the CDK version). Importing CDK and synthesizing costs seconds; a start with an unchanged
 * workflow reads one JSON file instead. Any change to the sources gives a new hash, so the cache
 * can never serve a definition other than the one CDK would synthesize now.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AslDefinition } from './synthesize.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** The files whose content determines the definition. */
export const DEFINITION_SOURCES = ['workflows/petition-workflow.ts', 'workflows/synthesize.ts', 'shared/errors.ts'];

export const defaultDefinitionCacheDir = join(root, 'node_modules', '.cache', 'hanbeon');

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of DEFINITION_SOURCES) hash.update(file).update(await readFile(join(root, file)));
  const cdkVersion = (createRequire(import.meta.url)('aws-cdk-lib/package.json') as { version: string }).version;
  return hash.update(cdkVersion).digest('hex').slice(0, 32);
}

/** Returns the petition workflow's ASL, synthesizing it with CDK only when the cache has no copy. */
export async function loadPetitionDefinition(cacheDir = defaultDefinitionCacheDir): Promise<AslDefinition> {
  const file = join(cacheDir, `petition-workflow-${await sourceHash()}.asl.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as AslDefinition;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  const { synthesizePetitionDefinition } = await import('./synthesize.ts');
  const definition = synthesizePetitionDefinition();
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(definition));
  await rename(temporary, file);
  return definition;
}
