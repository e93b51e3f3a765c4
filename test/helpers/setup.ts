import { afterAll } from "vitest";
import "./matchers.js";
import { removeTempDirs } from "./temp-dir.js";

afterAll(removeTempDirs);
