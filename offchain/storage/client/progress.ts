/** A cli-progress bar on a TTY, nothing otherwise. */
import { SingleBar, Presets } from "cli-progress";

export interface Progress {
  start(total: number, label: string): void;
  add(n: number): void;
  stop(): void;
}

export const quietProgress: Progress = { start() {}, add() {}, stop() {} };

export function progressFor(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return quietProgress;
  let bar: SingleBar | undefined;
  return {
    start(total, label) {
      bar = new SingleBar(
        { stream, format: `${label} [{bar}] {value}/{total} segments | {percentage}% | eta {eta}s`, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    add(n) {
      bar?.increment(n);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
