import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "artifacts/**",
      "cache/**",
      "typechain-types/**",
      "coverage/**",
      "build/**",
      "dist/**",
      "circuits/artifacts/**",
      ".zg/**",
      // AssemblyScript (u64, load<T>, ...): asc type-checks it when npm run wasm:build compiles it.
      "wasm/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    // Tasks, scripts, benchmarks and the CLI talk to a person on the terminal.
    files: ["tasks/**", "scripts/**", "bench/**", "offchain/cli/**", "bin/**", "test/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["bin/**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
