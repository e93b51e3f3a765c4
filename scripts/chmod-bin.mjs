// tsc drops the executable bit; the bin must be runnable directly after `npm ci`.
import { chmodSync } from "node:fs";
chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
