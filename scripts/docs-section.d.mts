export function replaceSection(path: string, start: string, end: string, content: string): boolean;
