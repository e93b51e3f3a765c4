#!/usr/bin/env node
// The recoverable command line. See docs/cli.md and DESIGN.md "The command line: the contract".
// The heap is tuned before the rest is loaded (src/util/heap-tuning.ts): V8 grows its young
// generation while the modules load.
import { tuneHeapFor } from "../util/heap-tuning.js";

const argv = process.argv.slice(2);
tuneHeapFor(argv);
const { runCLI } = await import("./run.js");
await runCLI(argv);
