// The gatectl executable (bin/gatectl): runs the command line and exits with its code.
import { runGatectl } from './run-gatectl.js';

process.exitCode = await runGatectl(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
});
