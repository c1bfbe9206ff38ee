import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Imports a layer may not make: the core is pure, the sidebar talks to the server only through the wire contract. */
const layerRule = (patterns, message) => ({
  "no-restricted-imports": ["error", { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test-output/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: layerRule(
      ["**/addon/**", "**/sidebar/**", "**/local/**", "node:*"],
      "src/core is pure TypeScript: no Apps Script, browser or Node code.",
    ),
  },
  {
    files: ["src/addon/**/*.ts"],
    rules: layerRule(["**/sidebar/**", "**/local/**", "node:*"], "src/addon is bundled for Apps Script: no sidebar or Node-only code."),
  },
  {
    files: ["src/sidebar/**/*.ts"],
    rules: layerRule(["**/addon/**", "**/local/**", "node:*"], "The sidebar reaches the server through src/core/wire.ts only."),
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly" } },
  },
);
