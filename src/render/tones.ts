/** A model level (ok, warn, critical, unknown) as a row tone. */
export const levelTone = { ok: 'ok', warn: 'warn', critical: 'critical', unknown: 'dim' } as const;
