/** Injected faults come from one documented value, read once by the CLI: its text form. */
import { describe, expect, it } from "vitest";
import { parseFaults, recordWriteHook } from "../../../src/drivers/faults.js";

describe("NSLAB_TEST_FAULTS", () => {
  it("reads every fault, alone or together", () => {
    expect(parseFaults(undefined)).toEqual({});
    expect(parseFaults("")).toEqual({});
    expect(parseFaults("fail-op=60,fail-rollback")).toEqual({ failOp: 60, failRollback: true });
    expect(parseFaults(" pause-op=3 ")).toEqual({ pauseOp: 3 });
    expect(parseFaults("pause=ovs-started")).toEqual({ pauseAfterOvsStart: true });
    expect(parseFaults("pause=lab-record-write")).toEqual({ pauseInRecordWrite: "lab" });
    expect(parseFaults("pause=ovs-record-write")).toEqual({ pauseInRecordWrite: "ovs" });
  });

  it("a record-write pause strikes only in the write it names", () => {
    expect(recordWriteHook({}, "lab", "x")).toEqual({});
    expect(recordWriteHook({ pauseInRecordWrite: "ovs" }, "lab", "x")).toEqual({});
    expect(recordWriteHook({ pauseInRecordWrite: "lab" }, "lab", "x").beforeRename).toBeTypeOf("function");
  });

  it.each(["fail-op=0", "fail-op=x", "pause-op", "pause=later", "fail-rollback=1", "explode"])(
    "refuses '%s' (E_USAGE, saying what it can read)",
    (text) => {
      expect(() => parseFaults(text)).toThrow(
        expect.objectContaining({ code: "E_USAGE", hint: expect.stringMatching(/fail-op=N/) }),
      );
    },
  );
});
