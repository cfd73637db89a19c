/** IPVS schedulers lvstop knows; a kernel offers some of them (fo, ovf, mh, twos only on newer ones). */
export const KNOWN_SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
] as const;
