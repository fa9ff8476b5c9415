// Preloaded (`node --import`) into a benchmarked child: at exit, its CPU time and peak RSS go to the file named by
// BENCH_REPORT, so a parent measures a whole process (start-up included) without wall time's noise.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_REPORT;
if (out) {
  process.on('exit', () => {
    const u = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (u.user + u.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  });
}
