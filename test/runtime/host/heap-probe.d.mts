export function returnedOnFree(): { block: number; heapFree: number; returned: number | null } | null;
export function rssAnon(): number;
