import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layerRules } from "./scripts/layers.mjs";

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
