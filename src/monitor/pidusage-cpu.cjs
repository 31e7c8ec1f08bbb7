'use strict';
// Stands in for pidusage's lib/helpers/cpu.js in kickstart's bundles (see
// scripts/esbuild-pidusage.mjs). The original asks `getconf` for the clock
// tick and page size through two child processes on the first call: ~40 ms
// of CPU and up to a few hundred ms of wall time before the first job, and a
// child the CLI's wait4(-1) reaper would steal from libuv. Here:
// - the clock tick is USER_HZ, which the kernel ABI fixes at 100 on every
//   architecture Node runs on (getconf CLK_TCK reads the same constant);
// - the page size is the kernel's own, from the first mapping in
//   /proc/self/smaps (4 KiB on x86-64, 64 KiB on some arm64/ppc64le kernels);
// - the uptime is /proc/uptime at each call, as in the original, but read
//   through a kept-open descriptor, synchronously: the original's async
//   readFile makes four thread-pool round trips, ~0.4 ms of CPU per sample
//   against ~5 µs for one read(2) of a procfs file.
const fs = require('node:fs');
const os = require('node:os');

const CLOCK_TICK = 100;

function pageSize() {
  let fd;
  try {
    fd = fs.openSync('/proc/self/smaps', 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const m = /KernelPageSize:\s+(\d+) kB/.exec(buf.toString('latin1', 0, n));
    return m ? Number(m[1]) * 1024 : 4096;
  } catch {
    return 4096;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

let uptimeFd;
const uptimeBuf = Buffer.alloc(64);

function readUptime() {
  try {
    uptimeFd ??= fs.openSync('/proc/uptime', 'r');
    const n = fs.readSync(uptimeFd, uptimeBuf, 0, uptimeBuf.length, 0);
    return parseFloat(uptimeBuf.toString('latin1', 0, n));
  } catch {
    return os.uptime();
  }
}

function updateCpu(cpu, next) {
  const uptime = readUptime();
  next(null, cpu ? Object.assign(cpu, { uptime }) : { clockTick: CLOCK_TICK, pageSize: pageSize(), uptime });
}

module.exports = updateCpu;
