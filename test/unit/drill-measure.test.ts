// The drill's RTO and RPO (src/drill/measure.ts, pure): measured from the drill's start, judged
// against the policy's objectives or a scenario's, and a finding for each target exceeded.
import { describe, expect, it } from "vitest";
import { measureObjectives, type MeasureInput } from "../../src/drill/measure.js";

const START = new Date("2026-11-26T06:00:00Z");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

const input: MeasureInput = {
  objectives: { rto: "15m", rpo: "24h" },
  scenario: null,
  startedAt: START,
  probesDoneAt: at(90),
  proven: true,
  backupTime: at(-3600),
};

describe("measureObjectives", () => {
  it("measures RTO to the probes' end and RPO as the backup's age, both within target", () => {
    const measured = measureObjectives(input);
    expect(measured.rto).toEqual({ seenSeconds: 90, targetSeconds: 900, status: "passed" });
    expect(measured.rpo).toEqual({ seenSeconds: 3600, targetSeconds: 86_400, status: "passed" });
    expect(measured.findings).toEqual([]);
  });

  it("says rto_exceeded and rpo_exceeded with the seen time and the target", () => {
    const measured = measureObjectives({
      ...input,
      probesDoneAt: at(1000),
      backupTime: at(-2 * 86_400),
    });
    expect(measured).toHaveFinding("rto_exceeded", "rto");
    expect(measured).toHaveFinding("rpo_exceeded", "rpo");
    expect(measured.findings.map((f) => f.message)).toEqual([
      "recovery took 1000s, over the RTO target of 15m",
      "the backup was 172800s old, over the RPO target of 24h",
    ]);
  });

  it("judges against a scenario's targets instead, and names it", () => {
    const scenario = { name: "file-deletion", rto: "1m", rpo: "1s", backups: [] };
    const measured = measureObjectives({ ...input, scenario });
    expect(measured.rto.targetSeconds).toBe(60);
    expect(measured.findings.map((f) => f.message)).toEqual([
      "recovery took 90s, over the RTO target of scenario file-deletion of 1m",
      "the backup was 3600s old, over the RPO target of scenario file-deletion of 1s",
    ]);
  });

  it("skips RTO when the probes did not run or the drill proved nothing, and RPO without a backup time", () => {
    for (const change of [{ probesDoneAt: null }, { proven: false }])
      expect(measureObjectives({ ...input, ...change }).rto).toEqual({
        seenSeconds: null,
        targetSeconds: 900,
        status: "skipped",
      });
    expect(measureObjectives({ ...input, backupTime: null }).rpo.status).toBe("skipped");
  });
});
