// The drill's stage clock without a drill: each stage timed on the given clock, a failure
// skipping the stages after it (but not the `always` ones), a throw recorded as a failure, and
// every stage told to the progress reporter.
import { describe, expect, it } from "vitest";
import { StageClock } from "../../src/drill/stage-clock.js";
import type { ProgressReporter, StageOutcome } from "../../src/util/progress.js";

/** A clock that moves one second each time it is read. */
function ticking(): () => Date {
  let t = Date.parse("2026-12-01T00:00:00Z");
  return () => new Date((t += 1000));
}

function recorder(): { reporter: ProgressReporter; told: string[] } {
  const told: string[] = [];
  return {
    told,
    reporter: {
      stage: (name) => {
        told.push(`start ${name}`);
        return {
          advance: () => undefined,
          done: (outcome?: StageOutcome) => told.push(`${name} ${outcome ?? "ended"}`),
        };
      },
    },
  };
}

describe("StageClock", () => {
  it("records each stage's status, start and duration on the clock it was given", async () => {
    const errors: unknown[] = [];
    const clock = new StageClock(ticking(), (e) => errors.push(e));
    await clock.run("restore", () => true);
    await clock.run("verify", () => Promise.resolve(true));
    expect(clock.stages).toEqual([
      {
        name: "restore",
        status: "passed",
        startedAt: "2026-12-01T00:00:01.000Z",
        durationMs: 1000,
      },
      { name: "verify", status: "passed", startedAt: "2026-12-01T00:00:03.000Z", durationMs: 1000 },
    ]);
    expect(errors).toEqual([]);
  });

  it("after a failed stage, skips the later ones without running them, but runs `always` stages", async () => {
    const clock = new StageClock(ticking(), () => undefined);
    const ran: string[] = [];
    await clock.run("restore", () => false);
    await clock.run("verify", () => {
      ran.push("verify");
      return true;
    });
    await clock.always("stop service", () => {
      ran.push("stop service");
      return Promise.resolve(true);
    });
    expect(ran).toEqual(["stop service"]);
    expect(clock.stages.map((s) => [s.name, s.status, s.durationMs])).toEqual([
      ["restore", "failed", 1000],
      ["verify", "skipped", 0],
      ["stop service", "passed", 1000],
    ]);
  });

  it("records a stage that throws as failed, hands the error over, and skips what follows", async () => {
    const errors: unknown[] = [];
    const clock = new StageClock(ticking(), (e) => errors.push(e));
    const boom = new Error("disk gone");
    await clock.run("restore", () => Promise.reject(boom));
    await clock.run("probe", () => true);
    expect(errors).toEqual([boom]);
    expect(clock.stages.map((s) => s.status)).toEqual(["failed", "skipped"]);
  });

  it("an `always` stage with nothing to do is skipped, and its failure does not skip later stages", async () => {
    const clock = new StageClock(ticking(), () => undefined);
    await clock.always("stop service", () => Promise.resolve(null));
    await clock.always("teardown", () => Promise.resolve(false));
    await clock.run("sign report", () => true);
    expect(clock.stages.map((s) => s.status)).toEqual(["skipped", "failed", "passed"]);
  });

  it("tells the progress reporter of every stage, run or skipped, with how it ended", async () => {
    const { reporter, told } = recorder();
    const clock = new StageClock(ticking(), () => undefined, reporter);
    await clock.run("restore", () => false);
    await clock.run("verify", () => true);
    clock.skip("probe");
    expect(told).toEqual([
      "start restore",
      "restore failed",
      "start verify",
      "verify skipped",
      "start probe",
      "probe skipped",
    ]);
  });
});
