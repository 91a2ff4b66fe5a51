/**
 * Fault injection for crash tests: when TRIAD_FAULT names this point, the process dies here as if
 * killed (no cleanup, no finally blocks), so tests can check what a restarted worker finds. Inert
 * unless the variable is set.
 */
export function faultPoint(point: string): void {
  const wanted = process.env.TRIAD_FAULT;
  if (wanted?.split(",").includes(point)) {
    process.stderr.write(`triad: fault injected at ${point}, exiting\n`);
    process.kill(process.pid, "SIGKILL");
  }
}
