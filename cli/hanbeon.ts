#!/usr/bin/env -S node --import tsx
/**
 * The `hanbeon` command (`npx hanbeon …` from the project); the dispatcher is cli/commands.ts.
 * This file holds only the shebang and one static import: tsx's dynamic-import rewrite misreads a
 * file that has both a shebang and `import()` (tsx 4.23), and commands.ts loads subcommands lazily.
 */
import './commands.ts';
