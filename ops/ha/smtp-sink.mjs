// An SMTP server that accepts every message and counts it: one JSON line per message in
// <dir>/messages.jsonl and the running total in <dir>/count. Usage: node smtp-sink.mjs <port> <dir>
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const [port, dir] = [Number(process.argv[2]), process.argv[3]];
if (!port || !dir) {
  console.error('usage: node smtp-sink.mjs <port> <dir>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
let count = 0;
writeFileSync(join(dir, 'count'), '0\n');

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw)?.[1]?.trim() ?? null;
      count += 1;
      appendFileSync(
        join(dir, 'messages.jsonl'),
        JSON.stringify({
          at: new Date().toISOString(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: header('Message-ID'),
          subject: header('Subject'),
          bytes: raw.length,
        }) + '\n',
      );
      writeFileSync(join(dir, 'count'), `${count}\n`);
      callback(null, `Ok: message ${count}`);
    });
  },
});
// A client killed mid-session resets its connection: that is the client's end, not the sink's.
server.on('error', () => undefined);
server.listen(port, '127.0.0.1', () => console.log(`smtp sink on 127.0.0.1:${port}, writing to ${dir}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
