// Device emulation: the --emulate text, cgroup v1 and v2 file writes against a fake cgroup root, and real runs in
// cgroups (OOM kill, read throttle, CPU quota, counters, signals, cleanup) where this machine allows them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  blockDeviceOf,
  type BlockDevice,
  cgroupParents,
  type CgroupParents,
  createCgroups,
  currentEmulation,
  describeEmulation,
  type EmulatedResult,
  EmulationError,
  type EmulationSpec,
  parseEmulation,
  parseMountinfo,
  readCounters,
  removeCgroups,
  removeStaleCgroups,
  runEmulated,
  sameRuntimeCommand,
  wholeDisk,
} from "../../../runtime/host/emulate.ts";
import { DEVICE_PRESETS } from "../../../stdlib/profiles/devices.ts";
import { emulationSkip as skip, leftovers } from "./emulation-support.ts";
import { skipTest } from "../../skip.ts";

const MiB = 2 ** 20;
const rpi4 = DEVICE_PRESETS.rpi4!;

// ---------------------------------------------------------------------------------------------------------------
// The text

test("parseEmulation: keys, presets, and keys over a preset", () => {
  assert.deepEqual(parseEmulation("memory=320MiB,read=50MB/s,cpus=1.5,cold=false", DEVICE_PRESETS), { cold: false, memoryBytes: 320 * MiB, readBytesPerSecond: 50e6, cpus: 1.5 });
  assert.deepEqual(parseEmulation("rpi4", DEVICE_PRESETS), { cold: true, preset: "rpi4", readBytesPerSecond: rpi4.readBytesPerSecond, cpus: rpi4.cpus });
  const withMemory = { cold: true, preset: "rpi4", readBytesPerSecond: 50e6, cpus: rpi4.cpus, memoryBytes: 400 * MiB };
  assert.deepEqual(parseEmulation("rpi4,memory=400MiB", DEVICE_PRESETS), withMemory);
  assert.deepEqual(parseEmulation("memory=400MiB, rpi4", DEVICE_PRESETS), withMemory, "the keys win wherever the preset stands");
  assert.deepEqual(parseEmulation("rpi4,cpus=1,cold=false", DEVICE_PRESETS), { cold: false, preset: "rpi4", readBytesPerSecond: 50e6, cpus: 1 });
  assert.deepEqual(parseEmulation("memory=1.5GB,read=1.5MiB/s", DEVICE_PRESETS), { cold: true, memoryBytes: 1.5e9, readBytesPerSecond: 1.5 * MiB });
  assert.deepEqual(parseEmulation("cold=false", DEVICE_PRESETS), { cold: false });
  assert.deepEqual(parseEmulation("read=200KB/s,cpus=0.1", DEVICE_PRESETS), { cold: true, readBytesPerSecond: 200e3, cpus: 0.1 });
});

test("parseEmulation: the presets are the ones passed in (the CLI passes stdlib's)", () => {
  const presets = { pi5: { readBytesPerSecond: 90e6, cpus: 0.8, cold: false, profile: "none" } };
  assert.deepEqual(parseEmulation("pi5,memory=1GB", presets), { cold: false, preset: "pi5", readBytesPerSecond: 90e6, cpus: 0.8, memoryBytes: 1e9 });
  assert.throws(() => parseEmulation("rpi4", presets), /^EmulationError: unknown preset 'rpi4'; did you mean 'pi5'\? \(keys: memory, read, cpus, cold; presets: pi5; a key needs =VALUE\)$/);
  assert.throws(() => parseEmulation("rpi4", {}), /unknown preset 'rpi4' \(keys: memory, read, cpus, cold; presets: none;/);
});

test("parseEmulation: each mistake is one line naming the item, with the valid keys where it helps", () => {
  const cases: [string, RegExp][] = [
    ["", /is empty: expected a preset or KEY=VALUE items \(keys: memory, read, cpus, cold; presets: rpi4\)/],
    ["memry=1GB", /unknown key 'memry'; did you mean 'memory'\? \(keys: memory, read, cpus, cold; presets: rpi4\)/],
    ["speed=3", /unknown key 'speed' \(keys: memory, read, cpus, cold/],
    ["rpi5", /unknown preset 'rpi5'; did you mean 'rpi4'\?/],
    ["memory", /unknown preset 'memory'.*a key needs =VALUE/],
    ["rpi4,rpi4", /two presets/],
    ["memory=1GB,memory=2GB", /'memory' is given twice/],
    ["memory=1GB,,cpus=1", /has an empty item/],
    ["memory=512", /memory=512: expected a size such as 320MiB \(units: B, KB, MB, GB, KiB, MiB, GiB\)/],
    ["memory=5XB", /memory=5XB: expected a size/],
    ["memory=0MB", /memory=0MB: must be more than 0/],
    ["memory=-5MB", /memory=-5MB: must be more than 0/],
    ["read=50MB", /read=50MB: expected a rate such as 50MB\/s/],
    ["read=50/s", /read=50\/s: expected a rate such as 50MB\/s/],
    ["cpus=0", /cpus=0: expected a number of CPUs of at least 0\.1, e\.g\. 1\.5$/],
    ["cpus=0.05", /cpus=0.05: expected a number of CPUs of at least 0.1/],
    ["cpus=two", /cpus=two: expected a number of CPUs/],
    ["cpus=", /cpus=: expected a number of CPUs/],
    ["cold=yes", /cold=yes: expected true or false/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseEmulation(text, DEVICE_PRESETS), (error: unknown) => {
      assert.ok(error instanceof EmulationError, text);
      assert.equal(error.code, "E_EMULATE", text);
      assert.match(error.message, pattern, text);
      assert.equal(error.message.split("\n").length, 1, text);
      return true;
    });
  }
});

test("describeEmulation: what is emulated, in one line", () => {
  const vda: BlockDevice = { name: "vda", majorMinor: "254:0" };
  assert.equal(
    describeEmulation({ memoryBytes: 320 * MiB, readBytesPerSecond: 50e6, cpus: 0.6, cold: true }, { devices: [vda], cgroupVersion: 1 }),
    "memory 320 MiB, reads 50 MB/s on vda (254:0), 0.6 CPUs, page cache dropped (cgroup v1)",
  );
  assert.equal(describeEmulation(parseEmulation("rpi4,memory=512MB", DEVICE_PRESETS)), `rpi4: memory 512 MB, reads 50 MB/s, ${rpi4.cpus} CPUs, page cache dropped`);
  assert.equal(describeEmulation({ cold: false, cpus: 1 }, { cgroupVersion: 2 }), "1 CPU, page cache kept (cgroup v2)");
  assert.equal(describeEmulation({ cold: false }), "no limits, page cache kept");
});

// ---------------------------------------------------------------------------------------------------------------
// cgroup files, against a fake cgroup root (a plain folder: mkdir makes no control files, so tests seed them)

/** A temporary folder with a space in its name, to check mountinfo's escapes. */
function fakeRoot(): string {
  return mkdtempSync(join(tmpdir(), "mema fake cgroup-"));
}
const escaped = (path: string) => path.replace(/ /g, "\\040");
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const vda: BlockDevice = { name: "vda", majorMinor: "254:0" };

test("cgroup v1: found through mountinfo and /proc/self/cgroup; limits written; counters read; removed", async () => {
  const root = fakeRoot();
  try {
    const memoryParent = join(root, "memory/process_api/abc");
    mkdirSync(memoryParent, { recursive: true });
    mkdirSync(join(root, "blkio"));
    mkdirSync(join(root, "cpu,cpuacct"));
    writeFileSync(join(memoryParent, "memory.memsw.limit_in_bytes"), "9223372036854771712\n"); // swap accounting on
    const host = {
      mountinfo: [
        `34 30 0:31 / ${escaped(root)}/memory rw,relatime - cgroup cgroup rw,memory`,
        `37 30 0:34 / ${escaped(root)}/blkio rw,relatime - cgroup cgroup rw,blkio`,
        `31 30 0:28 / ${escaped(root)}/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct`,
        `40 30 0:37 / ${escaped(root)}/unified rw,relatime - cgroup2 cgroup2 rw`,
      ].join("\n"),
      selfCgroup: "7:blkio:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/\n",
    };
    const spec: EmulationSpec = { memoryBytes: 320 * MiB, readBytesPerSecond: 50e6, cpus: 0.6, cold: true };
    const parents = cgroupParents(spec, host);
    assert.deepEqual(parents, { version: 1, memory: memoryParent, blkio: join(root, "blkio"), cpu: join(root, "cpu,cpuacct") });

    const cgroups = createCgroups(parents, spec, [vda, { name: "sdb", majorMinor: "8:16" }], "mema-1-1");
    const [memory, blkio, cpu] = [join(memoryParent, "mema-1-1"), join(root, "blkio/mema-1-1"), join(root, "cpu,cpuacct/mema-1-1")];
    assert.deepEqual(cgroups, { version: 1, dirs: [memory, blkio, cpu], memory, io: blkio, cpu });
    assert.equal(read(memory, "memory.limit_in_bytes"), String(320 * MiB));
    assert.equal(read(memory, "memory.memsw.limit_in_bytes"), String(320 * MiB));
    // One write per device (a plain file keeps the last; the kernel keeps each).
    assert.equal(read(blkio, "blkio.throttle.read_bps_device"), "8:16 50000000");
    assert.equal(read(cpu, "cpu.cfs_period_us"), "5000");
    assert.equal(read(cpu, "cpu.cfs_quota_us"), "3000");

    writeFileSync(join(memory, "memory.limit_in_bytes"), `${320 * MiB}\n`);
    writeFileSync(join(memory, "memory.max_usage_in_bytes"), `${200 * MiB}\n`);
    writeFileSync(join(memory, "memory.usage_in_bytes"), `${150 * MiB}\n`);
    writeFileSync(join(memory, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    writeFileSync(join(blkio, "blkio.throttle.io_service_bytes"), "254:0 Read 1000\n254:0 Write 7\n254:0 Total 1007\n8:16 Read 500\nTotal 1507\n");
    assert.deepEqual(readCounters(cgroups), { memoryLimitBytes: 320 * MiB, memoryPeakBytes: 200 * MiB, memoryUsageBytes: 150 * MiB, readBytes: 1500, oomKills: 2 });
    writeFileSync(join(memory, "memory.limit_in_bytes"), "9223372036854771712\n");
    assert.equal(readCounters(cgroups).memoryLimitBytes, null, "an unset v1 limit");

    // The kernel's control files vanish with rmdir; a plain folder's must go first.
    for (const dir of cgroups.dirs) for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
    await removeCgroups(cgroups);
    for (const dir of cgroups.dirs) assert.ok(!existsSync(dir), dir);

    // Without memsw (no swap accounting) only the memory limit is written; without a quota, no cpu cgroup.
    unlinkSync(join(memoryParent, "memory.memsw.limit_in_bytes"));
    const plain = createCgroups(parents, { memoryBytes: 64 * MiB, cold: false }, [], "mema-1-2");
    assert.deepEqual(readdirSync(plain.memory), ["memory.limit_in_bytes"]);
    assert.deepEqual(readdirSync(plain.io!), [], "blkio joined without a throttle: it counts reads");
    assert.equal(plain.cpu, undefined);
    // Below 0.2 CPU the period grows so that the quota stays at the kernel's smallest, 1 ms.
    const slow = createCgroups(parents, { cpus: 0.125, cold: false }, [], "mema-1-3");
    assert.equal(read(slow.cpu!, "cpu.cfs_period_us"), "8000");
    assert.equal(read(slow.cpu!, "cpu.cfs_quota_us"), "1000");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("cgroup v1: a mount showing a sub-tree (a container's view) and missing controllers", () => {
  const host = {
    mountinfo: "34 30 0:31 /process_api /c/memory rw - cgroup cgroup rw,memory\n",
    selfCgroup: "4:memory:/process_api/abc\n",
  };
  assert.deepEqual(cgroupParents({ cold: false }, host), { version: 1, memory: "/c/memory/abc" });
  assert.throws(() => cgroupParents({ cold: false, readBytesPerSecond: 1e6 }, host), /read= needs the cgroup v1 blkio controller, which is not mounted: mount it \(mkdir -p \/sys\/fs\/cgroup\/blkio && mount -t cgroup -o blkio/);
  assert.throws(() => cgroupParents({ cold: false, cpus: 1 }, host), /cpus= needs the cgroup v1 cpu controller, which is not mounted/);
  assert.throws(
    () => cgroupParents({ cold: false }, { mountinfo: "26 1 254:0 / / rw - ext4 /dev/vda rw\n", selfCgroup: "" }),
    (e: unknown) => e instanceof EmulationError && e.code === "E_EMULATE_UNSUPPORTED" && /no cgroup filesystem with a memory controller is mounted: mount cgroup v2/.test(e.message),
  );
});

test("cgroup v2: controllers enabled in the parent, limits written, counters read", async () => {
  const root = fakeRoot();
  try {
    const parent = join(root, "unified/user.slice/mema.scope");
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    writeFileSync(join(parent, "cgroup.subtree_control"), "memory\n");
    writeFileSync(join(parent, "memory.swap.max"), "max\n");
    const host = { mountinfo: `40 30 0:37 / ${escaped(root)}/unified rw,relatime - cgroup2 cgroup2 rw\n`, selfCgroup: "0::/user.slice/mema.scope\n" };
    const spec: EmulationSpec = { memoryBytes: 320 * MiB, readBytesPerSecond: 50e6, cpus: 0.6, cold: false };
    const parents = cgroupParents(spec, host);
    assert.deepEqual(parents, { version: 2, dir: parent, controllers: ["cpuset", "cpu", "io", "memory", "pids"] });

    const cgroups = createCgroups(parents, spec, [vda], "mema-1-1");
    const dir = join(parent, "mema-1-1");
    assert.deepEqual(cgroups, { version: 2, dirs: [dir], memory: dir, io: dir, cpu: dir });
    assert.equal(read(parent, "cgroup.subtree_control"), "+io +cpu", "only what was not enabled yet");
    assert.equal(read(dir, "memory.max"), String(320 * MiB));
    assert.equal(read(dir, "memory.swap.max"), "0");
    assert.equal(read(dir, "io.max"), "254:0 rbps=50000000");
    assert.equal(read(dir, "cpu.max"), "3000 5000");

    writeFileSync(join(dir, "memory.peak"), `${100 * MiB}\n`);
    writeFileSync(join(dir, "memory.current"), `${90 * MiB}\n`);
    writeFileSync(join(dir, "memory.events"), "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
    writeFileSync(join(dir, "io.stat"), "254:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n8:0 rbytes=100 wbytes=9\n");
    assert.deepEqual(readCounters(cgroups), { memoryLimitBytes: 320 * MiB, memoryPeakBytes: 100 * MiB, memoryUsageBytes: 90 * MiB, readBytes: 4196, oomKills: 1 });
    writeFileSync(join(dir, "memory.max"), "max\n");
    unlinkSync(join(dir, "memory.peak"));
    assert.deepEqual(readCounters(cgroups), { memoryLimitBytes: null, memoryPeakBytes: null, memoryUsageBytes: 90 * MiB, readBytes: 4196, oomKills: 1 }, "no memory.peak before Linux 5.19");
    for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
    await removeCgroups(cgroups);
    assert.ok(!existsSync(dir));
    // Moved into its own leaf to enable controllers (a scope holding only mema): the next cgroups go beside it.
    const moved = { ...host, selfCgroup: `0::/user.slice/mema.scope/mema-${process.pid}-0\n` };
    assert.deepEqual(cgroupParents(spec, moved), parents);

    // Controllers this cgroup was not given: one line on what would allow it.
    writeFileSync(join(parent, "cgroup.controllers"), "memory pids\n");
    assert.throws(
      () => cgroupParents(spec, host),
      /cgroup v2: the io, cpu controllers are not delegated to .*mema\.scope \(it has: memory pids\): run as root with them enabled in the parent's cgroup\.subtree_control, or in a delegated scope: systemd-run --user --scope -p Delegate=yes mema \.\.\./,
    );
    // Memory alone is enough when neither read= nor cpus= is asked for: no io cgroup then.
    const memoryOnly = createCgroups(cgroupParents({ cold: false }, host), { cold: false }, [], "mema-1-2");
    assert.equal(memoryOnly.io, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("stale cgroups: those of dead processes go, those of live ones and those still holding processes stay", () => {
  const root = fakeRoot();
  try {
    const parents: CgroupParents = { version: 1, memory: join(root, "memory"), blkio: join(root, "blkio") };
    const dead = 999_999_999; // above any pid_max
    for (const name of [`mema-${dead}-1`, `mema-${process.pid}-1`, `mema-${dead}-2`, "other-1"]) {
      mkdirSync(join(root, "memory", name), { recursive: true });
      mkdirSync(join(root, "blkio", name), { recursive: true });
    }
    writeFileSync(join(root, "memory", `mema-${dead}-2`, "cgroup.procs"), "12345\n");
    const removed = removeStaleCgroups(parents);
    assert.deepEqual(removed.sort(), [join(root, "blkio", `mema-${dead}-1`), join(root, "blkio", `mema-${dead}-2`), join(root, "memory", `mema-${dead}-1`)].sort());
    assert.deepEqual(readdirSync(join(root, "memory")).sort(), [`mema-${dead}-2`, `mema-${process.pid}-1`, "other-1"].sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("disks: a partition throttles its whole disk; a path without a block device is one line naming it", () => {
  const sys = mkdtempSync(join(tmpdir(), "mema-sys-"));
  try {
    const disk = join(sys, "devices/pci0000:00/virtio1/block/sda");
    mkdirSync(join(disk, "sda1"), { recursive: true });
    writeFileSync(join(disk, "dev"), "8:0\n");
    writeFileSync(join(disk, "sda1/dev"), "8:1\n");
    writeFileSync(join(disk, "sda1/partition"), "1\n");
    mkdirSync(join(sys, "dev/block"), { recursive: true });
    symlinkSync("../../devices/pci0000:00/virtio1/block/sda/sda1", join(sys, "dev/block/8:1"));
    symlinkSync("../../devices/pci0000:00/virtio1/block/sda", join(sys, "dev/block/8:0"));
    assert.deepEqual(wholeDisk("8:1", sys), { name: "sda", majorMinor: "8:0" });
    assert.deepEqual(wholeDisk("8:0", sys), { name: "sda", majorMinor: "8:0" });
    assert.equal(wholeDisk("0:35", sys), undefined);
    // Against the real mounts: a file on tmpfs, when this machine has one.
    const tmpfs = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).find((m) => m.fsType === "tmpfs" && existsSync(m.mountPoint) && /^\/(dev\/shm|run|tmp)/.test(m.mountPoint));
    if (tmpfs) {
      assert.throws(
        () => blockDeviceOf(tmpfs.mountPoint),
        (e: unknown) =>
          e instanceof EmulationError && e.code === "E_EMULATE_DEVICE" &&
          e.message === `cannot throttle reads of ${tmpfs.mountPoint}: it is on tmpfs (${tmpfs.mountPoint}), which has no block device; put the files on a disk (MEMA_CACHE_DIR for the cache) or leave out read=`,
      );
    }
  } finally {
    rmSync(sys, { recursive: true, force: true });
  }
});

test("currentEmulation is null outside an emulation", () => {
  assert.equal(process.env.MEMA_EMULATION, undefined);
  assert.equal(currentEmulation(), null);
});

// ---------------------------------------------------------------------------------------------------------------
// Real cgroups: skipped (and counted as skipped) where this machine cannot create them

/** A folder on a disk (not tmpfs), for files whose reads are throttled. */
function diskFolder(): string | undefined {
  for (const base of [tmpdir(), process.cwd()]) {
    try {
      blockDeviceOf(base);
      return mkdtempSync(join(base, "mema-emulate-"));
    } catch {
      // No block device under it.
    }
  }
  return undefined;
}

test("real: an allocation over the memory limit is OOM-killed and reported; the cgroups are removed", { skip }, async () => {
  const result = await runEmulated({ memoryBytes: 64 * MiB, cold: false }, ["dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"], { stdio: "ignore" });
  assert.equal(result.oomKilled, true);
  assert.equal(result.signal, "SIGKILL");
  assert.equal(result.stoppedBy, null);
  assert.equal(result.exitCode, null);
  assert.ok(result.counters.oomKills >= 1);
  assert.equal(result.counters.memoryLimitBytes, 64 * MiB);
  assert.ok(result.counters.memoryPeakBytes! > 60 * MiB, `peak ${result.counters.memoryPeakBytes}`);
  assert.deepEqual(leftovers(process.pid), []);
});

test("real: a failing command gives its exit code and counters; nothing is left behind", { skip }, async () => {
  const result = await runEmulated({ cold: false }, ["sh", "-c", "head -c 4000000 /dev/urandom > /dev/null; exit 3"], { stdio: "ignore" });
  assert.equal(result.exitCode, 3);
  assert.equal(result.signal, null);
  assert.equal(result.oomKilled, false);
  assert.equal(result.counters.memoryLimitBytes, null);
  assert.ok(result.counters.memoryPeakBytes! > 0);
  assert.equal(typeof result.counters.readBytes, "number");
  assert.equal(result.counters.oomKills, 0);
  assert.deepEqual(leftovers(process.pid), []);
});

test("real: reads from a cold page cache are throttled and counted", { skip }, async (t) => {
  const folder = diskFolder();
  if (!folder) return skipTest(t, "no folder on a block device");
  try {
    const file = join(folder, "data.bin");
    const bytes = 16e6;
    writeFileSync(file, new Uint8Array(bytes).fill(7));
    const rate = 16e6;
    const started = performance.now();
    const result = await runEmulated({ readBytesPerSecond: rate, cold: true }, ["sh", "-c", `cat "$0" > /dev/null`, file], { paths: [file], stdio: "ignore" });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.exitCode, 0);
    assert.equal(result.devices.length, 1);
    assert.match(result.description, /^reads 16 MB\/s on \S+ \(\d+:\d+\), page cache dropped \(cgroup v[12]\)$/);
    assert.ok(result.counters.readBytes! >= bytes * 0.95, `read ${result.counters.readBytes} of ${bytes}`);
    assert.ok(seconds >= (0.8 * bytes) / rate, `${bytes / 1e6} MB at ${rate / 1e6} MB/s took ${seconds.toFixed(2)} s`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  assert.deepEqual(leftovers(process.pid), []);
});

test("real: a CPU quota slows a CPU-bound command", { skip }, async () => {
  // md5sum of 150 MB of zeros: ~0.3 s of one core.
  const command = ["sh", "-c", "head -c 150000000 /dev/zero | md5sum > /dev/null"];
  const time = async (spec: EmulationSpec) => {
    const started = performance.now();
    const result = await runEmulated(spec, command, { stdio: "ignore" });
    assert.equal(result.exitCode, 0);
    return performance.now() - started;
  };
  const free = await time({ cold: false });
  const quota = await time({ cold: false, cpus: 0.2 });
  assert.ok(quota > 2 * free, `0.2 CPU took ${quota.toFixed(0)} ms, unlimited ${free.toFixed(0)} ms`);
});

test("real: stale cgroups of dead processes are removed when a run starts", { skip }, () => {
  const parents = cgroupParents({ cold: false });
  const stale = join(parents.version === 1 ? parents.memory : parents.dir, "mema-999999999-1");
  mkdirSync(stale);
  try {
    assert.deepEqual(removeStaleCgroups(parents), [stale]);
  } finally {
    if (existsSync(stale)) rmSync(stale, { recursive: true });
  }
});

const fixture = fileURLToPath(new URL("./emulate-fixture.ts", import.meta.url));

test("real: inside, currentEmulation() reads the device's counters and resets the peak", { skip }, async () => {
  const folder = mkdtempSync(join(tmpdir(), "mema-inside-"));
  try {
    const out = join(folder, "inside.json");
    const spec: EmulationSpec = { memoryBytes: 512 * MiB, cold: false };
    const result = await runEmulated(spec, sameRuntimeCommand(fixture, ["inside", out]), { stdio: ["ignore", "ignore", "inherit"] });
    assert.equal(result.exitCode, 0);
    const inside = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(inside.spec, spec);
    assert.equal(inside.cgroupVersion, result.cgroupVersion);
    assert.equal(inside.afterAllocation.memoryLimitBytes, 512 * MiB);
    assert.ok(inside.afterAllocation.memoryPeakBytes >= inside.start.memoryPeakBytes + 40 * MiB, JSON.stringify(inside));
    assert.ok(inside.afterReset.memoryPeakBytes <= inside.afterAllocation.memoryPeakBytes - 32 * MiB, JSON.stringify(inside));
    assert.equal(typeof inside.afterReset.readBytes, "number");
    assert.ok(result.counters.memoryPeakBytes! >= inside.afterReset.memoryPeakBytes);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/**
 * The fixture as a launcher of `script` (sh) under `spec`; `signals` are sent to the launcher, one after each
 * `ready` line of the command (a list: 100 ms apart). Resolves to the launcher's result and output.
 */
async function launch(spec: EmulationSpec, script: string, signals: (NodeJS.Signals | NodeJS.Signals[])[]): Promise<{ result: EmulatedResult; out: string; pid: number }> {
  const command = sameRuntimeCommand(fixture, ["parent", JSON.stringify(spec), "sh", "-c", script]);
  const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let sent = 0;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    out += chunk;
    const ready = out.split("\n").filter((l) => l === "ready").length;
    // process.kill: Deno's ChildProcess.kill sends only the first signal.
    while (sent < ready && sent < signals.length) {
      // A list: 100 ms apart (sent at once, the kernel would merge them into one pending signal).
      [signals[sent++]!].flat().forEach((signal, i) => setTimeout(() => process.kill(child.pid!, signal), i * 100));
    }
  });
  const timer = setTimeout(() => {
    // A signal went astray: end the launcher and what runs in its cgroups (it holds the pipe open); fail below.
    process.kill(child.pid!, "SIGKILL");
    void removeCgroups({ dirs: leftovers(child.pid!) });
  }, 30_000);
  await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `no RESULT line in: ${out}`);
  return { result: JSON.parse(line.slice("RESULT ".length)), out, pid: child.pid! };
}

// The command says `ready` once its trap is set; a trap runs when the foreground `sleep` ends.
const LOOP = "while :; do sleep 0.05; done";

test("real: Ctrl-C reaches the command once; the cgroups are removed after it ends", { skip }, async () => {
  const { result, out, pid } = await launch({ cold: false, memoryBytes: 256 * MiB }, `trap 'echo got-INT; exit 3' INT; echo ready; ${LOOP}`, ["SIGINT"]);
  assert.equal(out.split("\n").filter((l) => l === "got-INT").length, 1, out);
  assert.equal(result.exitCode, 3);
  assert.equal(result.stoppedBy, "SIGINT");
  assert.deepEqual(leftovers(pid), []);
});

test("real: a second Ctrl-C (past 500 ms) kills the command", { skip }, async () => {
  const { result, out, pid } = await launch({ cold: false }, `trap 'echo got-INT; sleep 0.6; echo ready' INT; echo ready; ${LOOP}`, ["SIGINT", "SIGINT"]);
  assert.match(out, /got-INT/);
  assert.equal(result.signal, "SIGKILL");
  assert.equal(result.stoppedBy, "SIGINT");
  assert.equal(result.oomKilled, false);
  assert.deepEqual(leftovers(pid), []);
});

test("real: Ctrl-C delivered twice at once (terminal and npx) is one: the command gets it once and ends as it chooses", { skip }, async () => {
  const { result, out, pid } = await launch({ cold: false }, `trap 'echo got-INT; sleep 0.3; exit 130' INT; echo ready; ${LOOP}`, [["SIGINT", "SIGINT"]]);
  assert.equal(out.split("\n").filter((l) => l === "got-INT").length, 1, out);
  assert.equal(result.signal, null);
  assert.equal(result.exitCode, 130);
  assert.equal(result.stoppedBy, "SIGINT");
  assert.deepEqual(leftovers(pid), []);
});

test("real: SIGTERM is passed on; the cgroups are removed", { skip }, async () => {
  const { result, out, pid } = await launch({ cold: false, cpus: 1 }, `trap 'echo got-TERM; exit 4' TERM; echo ready; ${LOOP}`, ["SIGTERM"]);
  assert.match(out, /got-TERM/);
  assert.equal(result.exitCode, 4);
  assert.equal(result.stoppedBy, "SIGTERM");
  assert.deepEqual(leftovers(pid), []);
});
