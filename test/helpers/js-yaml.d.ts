// js-yaml ships no types; the deployment example tests need only `load`.
declare module "js-yaml" {
  export function load(text: string, options?: { filename?: string }): unknown;
}
