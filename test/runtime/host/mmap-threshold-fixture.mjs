// A fresh process's heap-probe.mjs figures as JSON: by glibc's default, or (argument "fixed") with the
// threshold fixed at 1 MiB first (native.mjs fixMmapThreshold). Prints null where they cannot be had.
import { fixMmapThreshold } from "../../../runtime/host/native.mjs";
import { returnedOnFree } from "./heap-probe.mjs";

const fixed = process.argv.includes("fixed") ? fixMmapThreshold(1 << 20) : true;
console.log(JSON.stringify(fixed ? returnedOnFree() : null));
