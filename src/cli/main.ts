#!/usr/bin/env node
// The recoverable command line. See docs/cli.md and DESIGN.md "The command line: the contract".
// The heap is tuned before the rest is loaded (src/util/heap-tuning.ts): V8 grows its young
// generation while the modules load.
import { tuneHeap } from "../util/heap-tuning.js";

tuneHeap();
const { runCLI } = await import("./run.js");
await runCLI(process.argv.slice(2));
