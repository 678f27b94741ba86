/**
 * Where a V8 CPU profile (from `npm run bench -- --profile <dir>`) spent its time:
 *   npx tsx bench/profile-summary.ts <dir>/app/CPU.*.cpuprofile [--top 30] [--from 20] [--to 60]
 * Prints busy time by area (our folders, each package, Node internals), self time by function, and
 * inclusive time for our own functions. `--from`/`--to` keep the samples between those seconds
 * after the profile started (to leave out start-up). Samples are wall-clock: on a loaded machine a
 * thread waiting for a CPU inside a system call (writev) is counted there.
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
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(apps\/[^/]+\/src\/[^/]+|libs\/[^/]+|bench)\//.exec(url);
  return ours ? ours[1]! : url;
}

const ours = (url: string) => /\/(apps|libs)\//.test(url) && !url.includes('node_modules');

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const top = Number(values.top ?? 25);
  const fromUs = Number(values.from ?? 0) * 1e6;
  const toUs = values.to === undefined ? Infinity : Number(values.to) * 1e6;
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const label = (node: ProfileNode) =>
      `${node.callFrame.functionName || '(anonymous)'} ${area(node)}:${node.callFrame.lineNumber + 1}`;

    const areas = new Map<string, number>();
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    let totalUs = 0;
    let idleUs = 0;
    let at = 0;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      at += delta;
      if (at < fromUs || at > toUs) return;
      totalUs += delta;
      const node = byId.get(id)!;
      if (node.callFrame.functionName === '(idle)') {
        idleUs += delta;
        return;
      }
      areas.set(area(node), (areas.get(area(node)) ?? 0) + delta);
      self.set(label(node), (self.get(label(node)) ?? 0) + delta);
      const seen = new Set<string>();
      for (let frame: number | undefined = id; frame !== undefined; frame = parent.get(frame)) {
        const on = byId.get(frame)!;
        if (!ours(on.callFrame.url) || seen.has(label(on))) continue;
        seen.add(label(on));
        inclusive.set(label(on), (inclusive.get(label(on)) ?? 0) + delta);
      }
    });
    const busyUs = totalUs - idleUs;
    const show = (title: string, map: Map<string, number>) => {
      console.log(`\n${title} (% of busy time)`);
      for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        console.log(`${((100 * us) / busyUs).toFixed(1).padStart(6)}%  ${name}`);
      }
    };
    console.log(
      `${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${((100 * busyUs) / totalUs).toFixed(0)}% busy`,
    );
    show('by area', areas);
    show('self time by function', self);
    show('inclusive time, our functions', inclusive);
  }
}

main();
