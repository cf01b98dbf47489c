// What the tests of real emulation share: whether this machine allows it (else they are skipped), and leftovers.
import { accessSync, constants, readdirSync } from "node:fs";
import { join } from "node:path";
import { cgroupParents, createCgroups, removeCgroups } from "../../../runtime/host/emulate.ts";

/** Why real emulation cannot run here (the tests' `skip`), or undefined when a cgroup was created and removed. */
async function unavailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return `no cgroups on ${process.platform}`;
  try {
    const parents = cgroupParents({ cold: true, readBytesPerSecond: 1, cpus: 1 });
    await removeCgroups(createCgroups(parents, { cold: false, cpus: 1 }, []));
    accessSync("/proc/sys/vm/drop_caches", constants.W_OK);
    return undefined;
  } catch (error) {
    return `cannot emulate here: ${(error as Error).message}`;
  }
}

export const emulationSkip = await unavailable();

/** The mema-<pid>-* cgroups that process `pid` left under this process's own cgroups. */
export function leftovers(pid: number): string[] {
  const parents = cgroupParents({ cold: false });
  const dirs = parents.version === 1 ? [parents.memory, parents.blkio, parents.cpu] : [parents.dir];
  return dirs.flatMap((d) => (d ? readdirSync(d).filter((n) => n.startsWith(`mema-${pid}-`)).map((n) => join(d, n)) : []));
}
