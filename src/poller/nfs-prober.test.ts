import { describe, expect, it } from 'vitest';
import { nfsProbeCall } from './nfs-prober.js';

describe('the NFS probe call in a long-lived bash', () => {
  it('quotes the mountpoint, a quote in it included, and gives the timeout in whole seconds', () => {
    expect(nfsProbeCall("/mnt/it's", 2500)).toBe("lvstop_nfs_probe '/mnt/it'\\''s' 3");
  });
});
