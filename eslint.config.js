// Lint rules: ESLint's and typescript-eslint's recommended sets; formatting is Prettier's job.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Nothing in shared/ imports infra/: a constant both need lives in shared/ and infra/ imports it. */
const NO_INFRA = {
  group: ['**/infra', '**/infra/**'],
  message: 'shared/ must not import infra/ (DESIGN.md, "Layout as it grows"); move the value into shared/.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.outroute/',
      'test-results/',
      'bench/results/',
      'clients/typescript/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['dashboard/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  // The layering of DESIGN.md ("Layout as it grows"): the arrows only point down.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_INFRA] }],
    },
  },
  {
    // Replaces the rule above for the domain, so it repeats NO_INFRA.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_INFRA,
            {
              // shared/domain/ is flat: any relative import that goes up leaves it. The one
              // exception is shared/lib/hash.js (sha256 and canonical JSON: pure, no I/O), which
              // ticket ids are derived with; it stays in lib/ because the store and the API keys
              // use it too. Libraries of pure values (zod, luxon) are allowed; I/O ones are not.
              regex: String.raw`^\.\./(?!lib/hash\.js$)`,
              message: 'shared/domain/ imports nothing outside itself (DESIGN.md, "Layout as it grows").',
            },
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*', '@middy/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'shared/domain/ is pure: no SDKs, no I/O.',
            },
          ],
        },
      ],
    },
  },
);
