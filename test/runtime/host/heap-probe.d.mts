export function returnedOnFree(): number | null;
