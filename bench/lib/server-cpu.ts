import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second in /proc's CPU times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds used so far by every process named `postgres` on this machine (user + system, from
 * /proc): the database server's CPU when it runs here, as it does for the benchmarks. A backend that has
 * ended (its client closed the connection) takes its times with it; the postmaster, which waited for it,
 * holds them in its children's times, so those are counted too, and the sum never goes back. Undefined
 * where /proc cannot be read.
 */
export function serverCpuMs(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const nameEnd = stat.lastIndexOf(')');
    if (!stat.slice(stat.indexOf('(') + 1, nameEnd).startsWith('postgres')) continue;
    const fields = stat.slice(nameEnd + 2).split(' ');
    // utime, stime, and cutime, cstime: the ended children's, which only the postmaster has
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
