import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layerRules } from "./scripts/layers.mjs";

// Functions stay short enough to read at once (docs/architecture.md, "Function length"): a verb
// chains its loader, planner and runner in at most 40 lines; any other function at most 80. The
// commander option tables in src/cli/commands/ are exempt.

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "ops/store/", "coverage/", "bench/out/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  { files: ["src/**/*.ts"], rules: { "max-lines-per-function": ["error", { max: 80 }] } },
  { files: ["src/verbs/**/*.ts"], rules: { "max-lines-per-function": ["error", { max: 40 }] } },
  {
    files: ["src/cli/commands/**/*.ts"],
    rules: { "max-lines-per-function": "off" },
  },
  // Each folder of src/ imports only the layers below it (scripts/layers.mjs, docs/architecture.md).
  ...layerRules(),
  {
    // vitest's asymmetric matchers (expect.stringMatching, expect.objectContaining) are typed any.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" },
    },
  },
);
