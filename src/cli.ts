import 'reflect-metadata';
import { runCli } from './cli/run-cli';

// `npm run cli -- … | head` closes the pipe early; that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  // Exit once stdout has drained: a Nest context that failed to start (say, no database) can
  // leave Redis connections retrying, and a coordinator's command must not hang on them.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
