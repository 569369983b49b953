export function consoleSources(root: string): string[];
export function newest(path: string): number;
export function consoleBuildState(root: string, distDir: string): { buildId: string; builtMs: number; changedMs: number };
