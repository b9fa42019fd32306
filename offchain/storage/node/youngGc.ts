/**
 * Frees received socket chunks while they are young. Every socket read is a fresh ArrayBuffer of up to 64 KiB
 * that only a garbage collection frees. A node taking segments allocates little else, so young collections are
 * rare, the chunks pile up as external memory, and V8 answers with full mark-compacts: in the 4-node benchmark one
 * every ~250 ms on some nodes, each with ~200 ms of marking on a background thread, a third of those nodes' CPU.
 * A minor collection after every few MiB of bodies frees the chunks for a few milliseconds, and the mark-compacts
 * stop. V8 offers it only with --expose-gc; set here at run time, that flag exposes `gc` to new contexts, not to
 * the node's own globals.
 */
import v8 from "node:v8";
import vm from "node:vm";

type Gc = (options: { type: "minor" | "major" }) => void;

let gc: Gc | undefined;

/** V8's `gc`, exposed once per process. */
function exposedGc(): Gc {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as Gc;
  }
  return gc;
}

export class YoungCollector {
  private since = 0;
  private readonly gc = exposedGc();
  /** Minor collections run so far. */
  runs = 0;

  /** `every`: body bytes between two minor collections. */
  constructor(private readonly every: number) {}

  /** Counts a body read; collects once `every` bytes have come in since the last collection. */
  received(bytes: number): void {
    this.since += bytes;
    if (this.since < this.every) return;
    this.since = 0;
    this.gc({ type: "minor" });
    this.runs++;
  }
}
