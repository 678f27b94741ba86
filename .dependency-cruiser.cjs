/* global module */
/**
 * The module boundaries of Passerelle, checked by `npm run lint:deps` (dependency-cruiser) in CI.
 * Why these rules: docs/decisions/0020-enforced-boundaries.md. Dependencies point inward:
 * domain ← event store ← privacy, read models, notifications, application ← apps.
 */

/** Specs, contract suites and test fixtures: code that exists only to test other code. */
const TEST_CODE = ['\\.(spec|e2e-spec|contract)\\.tsx?$', '(^|/)testing/', '(^|/)fixtures?(\\.tsx?|/)'];

/** What `npm run build` ships: the apps, the libraries and the scripts, without their tests. */
const PRODUCTION = '^(apps/[^/]+/src|libs/[^/]+/src|scripts)/';

/**
 * What scripts and benchmarks may import from an app: the modules that start its process (the API's
 * bootstrap and root module, the worker's module, the projector), the API's document builder (`npm run
 * openapi`), the importer's types (`npm run import` runs inside the API's module), the read models'
 * service a benchmark waits on, and the validation pipes and command DTOs `bench/validation.ts` times. Anything else of an app stays out of reach; a new entry is a decision.
 */
const LAUNCH_SURFACES = [
  '^apps/api/src/bootstrap\\.ts$',
  '^apps/api/src/app\\.module\\.ts$',
  '^apps/api/src/http/openapi\\.ts$',
  '^apps/api/src/import/(importer|import-lines)\\.ts$',
  '^apps/api/src/read-models/read-models\\.service\\.ts$',
  // The validation benchmark compares the two pipes on the command DTOs (decision 27).
  '^apps/api/src/http/validation\\.ts$',
  '^apps/api/src/partnerships/partnership\\.dto\\.ts$',
  '^apps/worker/src/worker\\.module\\.ts$',
  '^apps/projector/src/projector\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-app-to-app',
      comment: 'An app never imports another app; code two apps share belongs in a library (libs/).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      comment: 'Libraries never import apps: dependencies point from the apps inward.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-stands-alone',
      comment:
        'libs/domain is pure deciders and events: it imports only itself (no packages, no node built-ins, no other library).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'event-store-knows-no-domain',
      comment:
        'The event store stores opaque events: its production code imports no domain, application, read-model or notification code.',
      severity: 'error',
      from: { path: '^libs/event-store/', pathNot: TEST_CODE },
      to: { path: '^libs/(domain|read-models|notifications|application)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (type-only imports included): a cycle means two modules are really one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-test-code-in-production',
      comment:
        'Production code (what the build ships) never reaches specs, contract suites or test fixtures, directly or through another module.',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_CODE },
      to: { path: TEST_CODE, reachable: true },
    },
    {
      name: 'scripts-and-bench-use-libraries',
      comment:
        'scripts/ and bench/ import the libraries, never the source of an app, except the named surfaces ' +
        'through which they start the process they drive or measure (LAUNCH_SURFACES; decision 0020).',
      severity: 'error',
      from: { path: '^(scripts|bench)/' },
      to: { path: '^apps/[^/]+/src/', pathNot: LAUNCH_SURFACES },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a path alias or a file that is not there is a mistake).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
