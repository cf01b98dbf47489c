// Where generated models and layer artifacts live: outside git, keyed by content hash.
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** `$MEMA_CACHE_DIR`, else `$XDG_CACHE_HOME/mema`, else `~/.cache/mema`; created on first use. */
export function cacheDir(...parts: string[]): string {
  const root =
    process.env.MEMA_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mema");
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
