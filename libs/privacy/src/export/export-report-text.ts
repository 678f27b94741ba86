import { keyFingerprint } from './export-format';
import type { ExportKeyReport, ExportReport } from './export-verifier';

const TRUST: Record<NonNullable<ExportKeyReport['trust']> | 'none', string> = {
  listed: 'listed by the export',
  pinned: 'pinned',
  predecessor: 'trusted: a pinned key succeeded it',
  successor: 'trusted: a pinned key handed over to it',
  none: 'NOT trusted (not pinned, nor linked to a pinned key by a rotation)',
};

const SHOWN_FAILURES = 20;

/** The report in words, as `verify-export` prints it: what was checked, then OK or the failures, the first one first. */
export function describeExportReport(report: ExportReport): string[] {
  const scope =
    report.scope?.kind === 'partnership'
      ? `partnership ${report.scope.partnershipId} (${report.scope.streams.join(', ')})`
      : 'the whole log';
  const lines = [
    `Export of ${scope}, up to position ${report.position}, exported ${report.exportedAt ?? '?'}`,
  ];
  for (const key of report.keys) {
    const retired = key.retiredAt !== undefined ? `, retired at position ${key.retiredAt}` : '';
    lines.push(
      `Signing key ${key.fingerprint} (Ed25519, sha256 of SPKI): ${key.heads} heads, ${TRUST[key.trust ?? 'none']}${retired}`,
    );
  }
  for (const succession of report.successions) {
    lines.push(
      `Rotation at position ${succession.lastPosition}: key ${keyFingerprint(succession.previous)} handed over to ${keyFingerprint(succession.next)}, ` +
        (succession.followed ? 'signed by both' : `not followed (${succession.problem})`),
    );
  }
  if (!report.keysPinned && report.keys.length > 0) {
    lines.push('No key pinned: compare the fingerprints above with the key you hold (--trust-key).');
  }
  if (report.ok) {
    const coverage =
      report.coveredTo > 0
        ? `every event is covered by the head signed at position ${report.coveredTo}`
        : 'the log was empty';
    lines.push(
      `OK: ${report.events} events in ${report.streams} streams; every hash chain holds; ${report.heads} signed heads hold (signature and digest); ${coverage}.`,
    );
    return lines;
  }
  lines.push(`FAILED: ${report.failureCount} problem(s), the first one first:`);
  for (const failure of report.failures.slice(0, SHOWN_FAILURES)) {
    lines.push(`  line ${failure.line}: ${failure.reason}: ${failure.message}`);
  }
  if (report.failureCount > SHOWN_FAILURES)
    lines.push(`  … and ${report.failureCount - SHOWN_FAILURES} more`);
  return lines;
}
