// A fresh process's heap-probe.mjs figure: by glibc's default, or (argument "fixed") with the threshold fixed
// at 1 MiB first (native.mjs fixMmapThreshold). Prints "unavailable" where the calls cannot be reached.
import { fixMmapThreshold } from "../../../runtime/host/native.mjs";
import { returnedOnFree } from "./heap-probe.mjs";

const fixed = process.argv.includes("fixed") ? fixMmapThreshold(1 << 20) : true;
const returned = fixed ? returnedOnFree() : null;
console.log(returned === null ? "unavailable" : String(returned));
