// Checks that the pages' JavaScript runs in the browsers the clinic's visitors use: the
// "browserslist" of package.json (Safari and iOS 14 and later, every browser of the last two
// years). Run by scripts/lint_js.sh (`make lint-js`), which also proves that it catches what
// tests/js-compat/ holds.
import compat from "eslint-plugin-compat";
import esX from "eslint-plugin-es-x";
import globals from "globals";

// Safari 14 has all of ES2020 except regexp lookbehind (Safari 16.4), and few later features:
// class fields, top-level await, Array.prototype.at, Object.hasOwn, the regexp `d` flag and
// error causes all came in Safari 14.1-16.4. So ES2021 and later are off altogether.
const LOOKBEHIND_IN_A_STRING = {
  // A lookbehind in a string that becomes a RegExp only fails when the page runs, and in
  // Safari before 16.4 that failure took a crisis reply with it; es-x sees only whole literals.
  selector: "Literal[value=/\\(\\?<[=!]/], TemplateElement[value.raw=/\\(\\?<[=!]/]",
  message: "Regexp lookbehind ((?<= / (?<!) is a SyntaxError in Safari before 16.4.",
};

export default [
  {
    files: ["web/**/*.js", "tests/js-compat/**/*.js"],
    languageOptions: {
      // Parse everything, so that newer syntax is reported by its rule, not as a parse error.
      ecmaVersion: "latest",
      sourceType: "script",
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { compat, "es-x": esX },
    settings: {
      // Report newer methods (`.at()`, `.replaceAll()`) on any object, not only on
      // objects whose type es-x can tell.
      "es-x": { aggressive: true },
    },
    rules: {
      "compat/compat": "error",
      ...esX.configs["flat/restrict-to-es2020"].rules,
      ...esX.configs["flat/restrict-to-es2020-intl-api"].rules,
      "es-x/no-regexp-lookbehind-assertions": "error",
      "no-restricted-syntax": ["error", LOOKBEHIND_IN_A_STRING],
      "no-undef": "error",
    },
  },
];
