export const WORKER_PROPERTIES: readonly string[];
