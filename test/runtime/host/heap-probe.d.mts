export function returnedOnFree(): { block: number; returned: number } | null;
