export interface Progress {
  /** Adds `n` finished items. */
  tick(n: number): void;
  /** Draws the final state and ends the line. */
  done(): void;
}

const width = 30;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * A one-line progress bar redrawn in place on a terminal (at most every
 * 100 ms); when the output is not a terminal (CI, a pipe) it prints one line
 * per 10% instead, so logs stay short.
 */
export function progressBar(total: number, label: string, out: NodeJS.WriteStream = process.stdout): Progress {
  const tty = out.isTTY === true;
  const started = Date.now();
  let count = 0;
  let drawnAt = 0;
  let decile = 0;
  const line = () => {
    const ratio = total > 0 ? Math.min(1, count / total) : 1;
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? count / secs : 0;
    const eta = rate > 0 && count < total ? ` ETA ${Math.ceil((total - count) / rate)}s` : "";
    const bar = "█".repeat(Math.round(ratio * width)).padEnd(width, "░");
    return `${label} ${bar} ${String(Math.floor(ratio * 100)).padStart(3)}% ${fmt(count)}/${fmt(total)} ${fmt(rate)} ev/s${eta}`;
  };
  return {
    tick(n) {
      count += n;
      if (tty) {
        if (Date.now() - drawnAt < 100) return;
        drawnAt = Date.now();
        out.write(`\r${line()}\x1b[K`);
      } else if (total > 0 && Math.floor((count / total) * 10) > decile) {
        decile = Math.floor((count / total) * 10);
        out.write(`${line()}\n`);
      }
    },
    done() {
      if (tty) out.write(`\r${line()}\x1b[K\n`);
      else if (decile < 10) out.write(`${line()}\n`);
    },
  };
}
