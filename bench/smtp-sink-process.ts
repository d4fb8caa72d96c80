import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server that accepts and discards, counting messages, run as its own process as a
 * relay on the same machine would be. Tells its parent the port, and the count when asked.
 */
let count = 0;
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => { count++; callback(); });
  },
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as AddressInfo).port }));
process.on('message', (m: string) => {
  if (m === 'count') process.send!({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
