import { describe, expect, it } from 'vitest';
import { defaultConfigFile } from '../config/paths.js';
import { noConfigMessage } from './no-config.js';

describe('no-config message', () => {
  it('shows init and the example config', () => {
    const text = noConfigMessage('/etc/lvstop.json', '/opt/lvstop/config.example.json');
    expect(text).toContain('no config file at /etc/lvstop.json');
    expect(text).toContain('lvstop init DIRECTOR_ALIAS... [--real-server ALIAS...] -o /etc/lvstop.json');
    expect(text).toContain('mkdir -p /etc && cp /opt/lvstop/config.example.json /etc/lvstop.json');
  });

  it('needs no -o for the default path', () => {
    expect(noConfigMessage(defaultConfigFile(), 'x')).toMatch(
      /lvstop init DIRECTOR_ALIAS\.\.\. \[--real-server ALIAS\.\.\.\]\n/,
    );
  });
});
