import { expect } from "chai";
import { FIGURES, pick, type Figure, type Report } from "../../bench/figures";
import { markdown, summarize } from "../../bench/summary";

describe("[offchain] bench summary", () => {
  const figure = (over: Partial<Figure>): Figure => ({
    domain: "d",
    report: "r",
    name: "f",
    unit: "u",
    better: "higher",
    value: (r) => pick(r.results, "x"),
    ...over,
  });
  const reports: Record<string, Report> = {
    r: {
      date: "2026-12-05T00:00:00Z",
      machine: { cpus: 2, cpuModel: "cpu", memoryGiB: 8, node: "v20" },
      results: { x: 40 },
    },
  };
  const read = (name: string) => reports[name];

  it("reads a goal the figure's way and leaves a baseline unjudged", () => {
    const goal = (better: "higher" | "lower") =>
      figure({ better, reference: { kind: "goal", what: "g", value: () => 50 } });
    const [higher] = summarize([goal("higher")], read).rows;
    expect(higher).to.include({ value: 40, reference: 50, ratio: 0.8, met: false });
    expect(summarize([goal("lower")], read).rows[0].met).to.equal(true);
    const baseline = figure({ reference: { kind: "baseline", what: "b", value: () => 80 } });
    expect(summarize([baseline], read).rows[0]).to.include({ ratio: 0.5, met: null, referenceKind: "baseline" });
  });

  it("lists a missing report once and a missing field as no value", () => {
    const { rows, missing } = summarize(
      [figure({ report: "gone" }), figure({ report: "gone" }), figure({ value: (r) => pick(r.results, "y.z") })],
      read,
    );
    expect(missing).to.deep.equal(["gone"]);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ value: null, ratio: null, met: null });
    expect(markdown(rows, missing)).to.include("Reports not found (run their benchmark): gone.");
  });

  it("finds a value in every committed report (no figure reads a field that is not there)", () => {
    const { rows, missing } = summarize();
    expect(missing).to.deep.equal([]);
    expect(rows).to.have.length(FIGURES.length);
    for (const row of rows) expect(row.value, row.figure).to.be.a("number");
    for (const row of rows.filter((r) => r.referenceWhat)) expect(row.reference, row.figure).to.be.a("number");
  });
});
