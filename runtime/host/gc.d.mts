// Types of gc.mjs.
/** A full garbage collection of this thread's heap now; false where the runtime offers none. */
export function collectGarbage(): boolean;
