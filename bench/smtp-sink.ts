import { fork } from 'node:child_process';
import { join } from 'node:path';

/** The SMTP sink in a process of its own (bench/smtp-sink-process.ts). */
export async function smtpSink(): Promise<{ port: number; count: () => Promise<number>; close: () => Promise<void> }> {
  const child = fork(join(__dirname, 'smtp-sink-process.js'), [], { stdio: 'inherit' });
  const reply = <T>(key: string) => new Promise<T>((resolve) => {
    const on = (m: Record<string, T>) => { if (key in m) { child.off('message', on); resolve(m[key]); } };
    child.on('message', on);
  });
  const port = await reply<number>('port');
  return {
    port,
    count: () => { const answer = reply<number>('count'); child.send('count'); return answer; },
    close: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send('stop'); }),
  };
}
