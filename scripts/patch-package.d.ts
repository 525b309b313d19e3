// The two internals of patch-package that scripts/native.mjs calls (the package ships no types for them).
declare module 'patch-package/dist/patch/parse' {
  export function parsePatchFile(text: string): unknown;
}
declare module 'patch-package/dist/patch/apply' {
  export function executeEffects(effects: unknown, options: { dryRun: boolean; cwd: string; bestEffort: boolean }): void;
}
