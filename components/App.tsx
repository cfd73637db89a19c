import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { Header } from './Header.js';
import { HostProblems } from './HostProblems.js';
import { ServicesPane } from './ServicesPane.js';
import { useLvs } from './store-context.js';

export interface AppProps {
  /** Called when the operator quits; the caller closes every connection. */
  readonly onQuit: () => void;
  readonly onRefresh: () => void;
  readonly onTogglePause: () => void;
  /** Clock for ages; tests pass a fixed one. */
  readonly now?: () => number;
}

export function App({ onQuit, onRefresh, onTogglePause, now = Date.now }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const clusters = useLvs((s) => s.clusters);
  const [clusterIndex, setClusterIndex] = useState(0);
  const [time, setTime] = useState(now());
  const [rows, setRows] = useState(stdout.rows || 24);

  useEffect(() => {
    const timer = setInterval(() => setTime(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  useEffect(() => {
    const onResize = () => setRows(stdout.rows || 24);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      onQuit();
      exit();
    } else if (key.tab) setClusterIndex((i) => (i + 1) % Math.max(1, clusters.length));
    else if (input === 'r') onRefresh();
    else if (input === 'p') onTogglePause();
  });

  const cluster = clusters[clusterIndex] ?? clusters[0];
  if (!cluster) return <Text>no clusters configured</Text>;
  const hosts = [...cluster.directors, ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : []))];
  // Keep the frame below the terminal height: a full-height frame makes Ink clear the screen on every update.
  const tableHeight = Math.max(3, rows - 1 - 3 - hosts.length);
  return (
    <Box flexDirection="column">
      <Header now={time} cluster={cluster.name} />
      <ServicesPane cluster={cluster.name} now={time} height={tableHeight} />
      <HostProblems hosts={hosts} />
      <Text dimColor>tab next cluster · r refresh · p pause · q quit</Text>
    </Box>
  );
}
