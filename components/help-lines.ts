import { VIEWS } from '../src/render/views.js';
import type { KeyCommand } from './keymap.js';

export interface HelpLine {
  readonly text: string;
  readonly color?: string;
  readonly bold?: boolean;
}

/** What each colour on screen means; the help shows it beside the keys. */
const LEGEND: readonly HelpLine[] = [
  { text: 'Colours', bold: true },
  { text: '  red       split brain, host down, FAULT, HUNG/STALE mount, failed check', color: 'red' },
  {
    text: '  yellow    warning: slow host, quiesced real server, lag over warn, keys that change the cluster',
    color: 'yellow',
  },
  { text: '  green     MASTER, OK, passed check', color: 'green' },
  { text: '  cyan      headings, the current view and cluster', color: 'cyan' },
  { text: '  grey / !  stale: data older than two polls (AGE ends with !), or not known yet', color: 'gray' },
  { text: '            (a reading made every 10 s, like the sync daemons: 10 s and two polls)', color: 'gray' },
];

/** The whole help as lines: every key, every `:` command, the colour legend. Generated from the table in force. */
export function helpLines(keymap: readonly KeyCommand[], readOnly: boolean): HelpLine[] {
  const keys = keymap.filter((c) => !c.id.startsWith('view-'));
  const words = keymap.filter((c) => c.words && c.words.length > 0);
  return [
    { text: `Keys${readOnly ? ' (read-only: no mutating keys)' : ''} · 1-${VIEWS.length} switch views`, bold: true },
    ...keys.map((c) => ({
      text: `  ${c.keys.join(', ').padEnd(16)} ${c.description}${c.views ? ` [${c.views.join(', ')}]` : ''}${c.dangerous ? ' (changes the cluster)' : ''}`,
      ...(c.dangerous ? { color: 'yellow' } : {}),
    })),
    { text: '' },
    { text: ': commands (tab completes)', bold: true },
    ...words.map((c) => ({ text: `  :${c.words!.join(', :').padEnd(20)} ${c.description}` })),
    { text: '' },
    ...LEGEND,
  ];
}
