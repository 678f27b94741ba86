/**
 * Where a V8 CPU profile (from `npm run bench -- --profile <dir>`) spent its time:
 *   npx tsx bench/profile-summary.ts <dir>/app/CPU.*.cpuprofile [--top 30]
 * Prints self time by function and by package (node_modules/<name>, our folders, node internals),
 * and inclusive time for our own functions.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(apps\/[^/]+|libs\/[^/]+|bench)\//.exec(url);
  return ours ? ours[1]! : url;
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const selfUs = new Map<number, number>();
    let totalUs = 0;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
      totalUs += delta;
    });

    const self = new Map<string, number>();
    const packages = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const label = (node: ProfileNode) =>
      `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    for (const [id, us] of selfUs) {
      const node = byId.get(id)!;
      self.set(label(node), (self.get(label(node)) ?? 0) + us);
      const pkg = where(node.callFrame.url);
      packages.set(pkg, (packages.get(pkg) ?? 0) + us);
      // Inclusive time of our own functions: each distinct one on the stack once.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)!;
        if (!/\/(apps|libs)\//.test(frame.callFrame.url) || /node_modules/.test(frame.callFrame.url))
          continue;
        const name = label(frame);
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
    const show = (title: string, map: Map<string, number>) => {
      console.log(`\n${title}`);
      for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        console.log(`${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${name}`);
      }
    };
    console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled`);
    show('self time by package', packages);
    show('self time by function', self);
    show('inclusive time, our functions', inclusive);
  }
}

main();
