import type { SqlClient } from '@passerelle/database';
import type { PositionKeeper } from './copy-log';

/**
 * Keeps copied events at their source positions in a SQL target: before each append, moves the
 * position sequence to the source position, unless the target already holds an event there or
 * beyond (then the events land after it and copyLog counts them as moved). Signed heads name
 * positions, so only a log copied at the same positions verifies them.
 *
 * Nothing else may append to the target meanwhile: the sequence is moved outside the lock that
 * appends take positions under (migrations.ts), which is sound only while the copy is the one writer.
 */
export function sqlPositionKeeper(target: SqlClient): PositionKeeper {
  return async (position) => {
    await target.query(
      `SELECT CASE WHEN coalesce(max(global_position), 0) < $1
                   THEN setval('events_position_seq', $1, false) END AS placed
       FROM events`,
      [position],
    );
  };
}
