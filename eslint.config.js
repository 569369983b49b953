import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // `.next*`: the console's build and dev output (NEXT_DIST_DIR may name several); test-results: Playwright's artefacts.
    ignores: ["**/node_modules/**", "**/dist/**", "**/.next*/**", "apps/web/next-env.d.ts", ".skein/**", "bench/results/**", "prisma/generated/**", "test-results/**", "playwright-report/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
