/** `npm start`: the embedded platform in one process. */
import { ConfigError, loadConfig } from '../../functions/config.ts';
import { CatalogError } from '../../shared/catalog/load.ts';
import { banner } from './banner.ts';
import { startLocalPlatform } from './platform.ts';

try {
  const config = loadConfig();
  const platform = await startLocalPlatform(config);
  console.log(banner(platform.url, platform.catalog, config.DATA_DIR, [...platform.agencies.values()], platform.resumed));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (running petitions resume at the next start)…`);
    platform.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  // Bad configuration or templates (exit 2), or an environment problem such as a port in use or a
  // data directory another instance holds (exit 1): the reason, not a stack trace.
  const message = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `${(error as Error).message}: another program uses this port (set PORT)` : (error as Error).message;
  console.error(`hanbeon cannot start: ${message}`);
  process.exit(error instanceof ConfigError || error instanceof CatalogError ? 2 : 1);
}
