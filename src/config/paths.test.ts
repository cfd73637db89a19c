import { describe, expect, it } from 'vitest';
import {
  configDir,
  defaultAuditLog,
  defaultConfigFile,
  defaultEventLog,
  defaultLvstopKnownHosts,
  stateDir,
} from './paths.js';

describe('XDG paths', () => {
  const home = { HOME: '/home/op' };

  it('default to ~/.config/lvstop and ~/.local/state/lvstop', () => {
    expect(defaultConfigFile(home)).toBe('/home/op/.config/lvstop/config.json');
    expect(defaultLvstopKnownHosts(home)).toBe('/home/op/.config/lvstop/known_hosts');
    expect(defaultAuditLog(home)).toBe('/home/op/.local/state/lvstop/audit.jsonl');
    expect(defaultEventLog(home)).toBe('/home/op/.local/state/lvstop/events.jsonl');
  });

  it('honour XDG_CONFIG_HOME and XDG_STATE_HOME', () => {
    const env = { ...home, XDG_CONFIG_HOME: '/xdg/config', XDG_STATE_HOME: '/xdg/state' };
    expect(defaultConfigFile(env)).toBe('/xdg/config/lvstop/config.json');
    expect(defaultLvstopKnownHosts(env)).toBe('/xdg/config/lvstop/known_hosts');
    expect(defaultAuditLog(env)).toBe('/xdg/state/lvstop/audit.jsonl');
    expect(defaultEventLog(env)).toBe('/xdg/state/lvstop/events.jsonl');
  });

  it('ignore relative or empty XDG variables, as the spec says', () => {
    expect(configDir({ ...home, XDG_CONFIG_HOME: 'rel/config' })).toBe('/home/op/.config/lvstop');
    expect(stateDir({ ...home, XDG_STATE_HOME: '' })).toBe('/home/op/.local/state/lvstop');
  });
});
