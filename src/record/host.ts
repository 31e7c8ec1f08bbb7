import { hostname, networkInterfaces } from 'node:os';
import { native } from '../native/addon.js';
import type { HostFacts } from './build.js';
import { groupName, userName } from './users.js';

/** The first non-loopback IPv4 interface: found from the OS tables, never by DNS. */
function primaryInterface(): { name?: string; address?: string } {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return { name, address: a.address };
  }
  return { name: 'lo', address: '127.0.0.1' };
}

/** This host and process as the record names them (read when the attempt ends). */
export function hostFacts(): HostFacts {
  const iface = primaryInterface();
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    interface: iface.name,
    hostaddr: iface.address,
    hostname: hostname(),
    pid: process.pid,
    uid,
    user: userName(uid),
    gid,
    group: groupName(gid),
    umask: native().umask(),
    usage: native().rusage('self'),
  };
}
