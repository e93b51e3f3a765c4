// Where a secret comes from: a file, or `env:NAME`, the environment variable NAME holding the
// secret itself (as cosign's `env://NAME`), so a CI or Kubernetes secret never has to be written
// to a disk. A location is one string: `env:NAME`, or an absolute path (which never starts with
// "env:"); a file literally named env:NAME is still reachable as ./env:NAME.
import { resolve } from "node:path";
import { displayPath } from "./display-path.js";

const ENV_PREFIX = "env:";
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `env:NAME` as it is; anything else a path resolved against `base`. */
export function secretLocation(base: string, text: string): string {
  return text.startsWith(ENV_PREFIX) ? text : resolve(base, text);
}

/** The variable of an `env:NAME` location, or null for a file. */
export function secretVariable(location: string): string | null {
  return location.startsWith(ENV_PREFIX) ? location.slice(ENV_PREFIX.length) : null;
}

/** A location as findings name it: `env:NAME`, or the path as a user reads it. */
export function displaySecretLocation(location: string): string {
  return secretVariable(location) === null ? displayPath(location) : location;
}

/** The secret in the variable, or why there is none. Never logs or returns more than asked. */
export function readSecretVariable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): { readonly text: string } | { readonly problem: string } {
  if (!VARIABLE_NAME.test(name))
    return { problem: `${JSON.stringify(name)} is not an environment variable name` };
  const text = env[name];
  if (text === undefined || text.trim() === "")
    return { problem: `the environment variable ${name} is not set or empty` };
  return { text };
}
