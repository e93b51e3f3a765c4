#!/usr/bin/env node
// The recoverable command line. See docs/cli.md and DESIGN.md "The command line: the contract".
// Signals first: from the first line on, SIGINT and SIGTERM end the run with its result and its
// cleanups, never by the signal itself (src/util/run-scope.ts). Then the heap is tuned before
// the rest is loaded (src/util/heap-tuning.ts): V8 grows its young generation while the
// modules load.
import { checkpoint } from "../util/checkpoint.js";
import { tuneHeapFor } from "../util/heap-tuning.js";
import { installRunScope } from "../util/run-scope.js";

const scope = installRunScope();
const argv = process.argv.slice(2);
tuneHeapFor(argv);
await checkpoint("cli-start", scope.signal);
const { runCLI } = await import("./run.js");
await runCLI(argv);
