/**
 * The erasure promise in time: a person forgotten in one process reads `[erased]` in every other within
 * this long. Every cache that can hold a person's key, an opened value or a decision state built from
 * personal data keeps an entry no longer than this (docs/decisions/0004, 0005).
 */
export const FORGOTTEN_WITHIN_MS = 30_000;
