// Reloading when runbooks change: a watch on each folder (debounced, since editors write in
// several steps) and SIGHUP for the operator. Used by the worker and the receiver.
import { watch, type FSWatcher } from 'node:fs';

const DEBOUNCE_MS = 300;

export interface Reloader {
  close(): void;
}

export function reloadOnChange(dirs: readonly string[], reload: (why: string) => void): Reloader {
  let timer: NodeJS.Timeout | undefined;
  const soon = (why: string) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => reload(why), DEBOUNCE_MS);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      watchers.push(watch(dir, (_event, file) => soon(`${dir}/${file ?? ''} changed`)).on('error', () => undefined));
    } catch {
      // A folder that cannot be watched still reloads on SIGHUP.
    }
  }
  const onHup = () => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      process.off('SIGHUP', onHup);
    },
  };
}
