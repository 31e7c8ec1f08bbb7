import { hostname, networkInterfaces } from 'node:os';
import { native } from '../native/addon.js';
import type { HostFacts } from './build.js';
import { groupName, userName } from './users.js';

interface Iface {
  name?: string;
  address?: string;
}

/** How long an interface look-up stands: a batch asks once per task, and getifaddrs costs ~0.2 ms. */
const IFACE_TTL_MS = 60_000;
let iface: { at: number; value: Iface } | undefined;

/** The first non-loopback IPv4 interface: found from the OS tables, never by DNS. */
function primaryInterface(now = Date.now()): Iface {
  if (iface && now - iface.at < IFACE_TTL_MS) return iface.value;
  let value: Iface = { name: 'lo', address: '127.0.0.1' };
  search: for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) {
        value = { name, address: a.address };
        break search;
      }
    }
  }
  iface = { at: now, value };
  return value;
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
