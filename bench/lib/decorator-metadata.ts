import { transformSync, type Options } from '@swc/core';
import { readFileSync } from 'node:fs';
import Module from 'node:module';

/** The options the Jest projects compile with (jest.config.js): legacy decorators with their metadata. */
const SWC: Options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

interface CompilableModule {
  _compile(code: string, filename: string): void;
}

type Loader = (module: CompilableModule, filename: string) => void;

/**
 * Nest finds constructor parameters through `design:paramtypes`, which esbuild (hence tsx) does not
 * emit. Processes that build the Nest application compile the project's own .ts files with SWC
 * instead, as the tests do; tsx still resolves the path aliases.
 */
export function compileWithDecoratorMetadata(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const fallback = extensions['.ts']!;
  extensions['.ts'] = (module, filename) => {
    if (filename.includes('/node_modules/')) return fallback(module, filename);
    const source = readFileSync(filename, 'utf8');
    module._compile(transformSync(source, { ...SWC, filename }).code, filename);
  };
}
